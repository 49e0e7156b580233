"""Domain errors of opvolging.

Messages name dossier and action ids only: never a pupil's name, BSN or an absence
reason.
"""


class OpvolgingFout(Exception):
    """Base class: a command the opvolging domain refuses."""


class OngeldigeInvoer(OpvolgingFout, ValueError):
    """An argument that cannot be valid (unknown code, naive timestamp, empty actor)."""


class RasciFout(OngeldigeInvoer):
    """A RASCI matrix that breaks the RASCI rules, or an activity without R role."""


class DossierGesloten(OpvolgingFout):
    """A change to a dossier that has been closed."""


class ActieOnbekend(OpvolgingFout, KeyError):
    """No action with that id in the dossier."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "actie onbekend"


class ActieNietOpen(OpvolgingFout):
    """A change to an action that is already afgerond or geannuleerd."""


class VerkeerdeActie(OpvolgingFout):
    """A decision made on an action of another kind (e.g. luxeverzuim on a melding)."""


class AfsluitenGeweigerd(OpvolgingFout):
    """Closing is not allowed yet (pending decisions or unsent meldingen)."""


class EvaluatieFout(OpvolgingFout):
    """An evaluation that cannot be made (no measures yet, bad figures)."""


class MeldingOnbekend(OpvolgingFout, KeyError):
    """No melding for that meldplicht in the dossier (yet)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "melding onbekend"


class DossierOnbekend(OpvolgingFout, KeyError):
    """No dossier with that id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "dossier onbekend"


class LeerlingGewist(OpvolgingFout):
    """A change to a dossier of a pupil whose personal data was erased."""
