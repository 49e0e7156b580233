"""SIS importers: Eduarte CSV, Magister and SOMtoday JSON into the neutral record model.

Each returns an `ImportResultaat`: the records (with their line or item number) and the
rows it rejected with a reason. `python -m services.registratie.importers` posts them to
the bulk endpoint.
"""

from services.registratie.importers.eduarte import (
    lees_absentiemeldingen as lees_eduarte,
)
from services.registratie.importers.eduarte import (
    lees_waarnemingen as lees_eduarte_waarnemingen,
)
from services.registratie.importers.magister import lees_absenties as lees_magister
from services.registratie.importers.model import Afgewezen, ImportResultaat, Ingelezen
from services.registratie.importers.somtoday import (
    lees_absentiemeldingen as lees_somtoday,
)

__all__ = [
    "Afgewezen",
    "ImportResultaat",
    "Ingelezen",
    "lees_eduarte",
    "lees_eduarte_waarnemingen",
    "lees_magister",
    "lees_somtoday",
]
