"""Upstream contract events for the opvolging tests, and applying them as the
consumer does: through the policy, in one unit of work per batch.

All pupils, schools and ids are made up; readable names become UUIDs with `uid`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4, uuid5
from zoneinfo import ZoneInfo

from contracts.analyse import (
    IntrekkingVoorgesteld,
    MaatregelVoorgesteld,
    MeldplichtVastgesteld,
    MeldplichtVervallen,
    SignaalAfgegeven,
)
from contracts.common import Kalender, Periode, Rooster, SlotVerwijzing, VersleuteldPgn
from contracts.envelope import ContractEvent, wrap
from contracts.ketenkoppeling import VerzuimmeldingStatusGewijzigd
from contracts.registratie import (
    LeerlingGeregistreerd,
    SchoolGeregistreerd,
    VerzuimGeclassificeerd,
)
from plumbing.clock import FixedClock
from services.opvolging.application import Opvolging
from services.opvolging.policies import OpvolgingPolicy

AMS = ZoneInfo("Europe/Amsterdam")
_NAAMRUIMTE = UUID("5d0c1f7e-2b8a-4c3d-9e6f-1a2b3c4d5e6f")


def uid(naam: str) -> UUID:
    return uuid5(_NAAMRUIMTE, naam)


def op(dag: str, tijd: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{dag}T{tijd}").replace(tzinfo=AMS)


SCHOOL_UUID = uid("school 99XX-01")
SCHOOL = str(SCHOOL_UUID)


def meldplicht(
    leerling: str,
    meldplicht_id: str,
    *,
    school: UUID = SCHOOL_UUID,
    soort: str = "V3",
    begindatum: date = date(2025, 9, 15),
    einddatum: date | None = date(2025, 9, 17),
    vervaldatum: date | None = date(2025, 9, 24),
    achterstallig: bool = False,
    slots: Iterable[tuple[date, int]] = (),
) -> MeldplichtVastgesteld:
    verwijzingen = [
        SlotVerwijzing(slot_id=f"{d.isoformat()}-{i}", datum=d, lesuur=i, minuten=m)
        for i, (d, m) in enumerate(slots, start=1)
    ]
    return MeldplichtVastgesteld(
        meldplicht_id=uid(meldplicht_id),
        leerling_id=uid(leerling),
        school_id=school,
        verzuimsoort=soort,  # type: ignore[arg-type]
        begindatum=begindatum,
        einddatum=einddatum,
        vervaldatum=vervaldatum,
        achterstallig=achterstallig,
        minuten=sum(m for _, m in slots) or 960,
        slots=verwijzingen,
        verzuimdagen=[],
        toelichting="16 lesuren ongeoorloofd in 4 lesweken",
    )


def signaal(
    leerling: str, signaal_id: str, soort: str, datum: date
) -> SignaalAfgegeven:
    return SignaalAfgegeven(
        signaal_id=uid(signaal_id),
        leerling_id=uid(leerling),
        school_id=SCHOOL_UUID,
        soort=soort,
        datum=datum,
        toelichting="",
    )


def maatregel(
    leerling: str,
    maatregel_id: str,
    aanleiding: str,
    titel: str,
    *,
    activiteit: str = "uitvoeren maatregelen",
    verantwoordelijke: str = "mentor",
    eindverantwoordelijke: str = "verzuimcoordinator",
    school: UUID = SCHOOL_UUID,
    code: str | None = None,
    optioneel: bool = False,
) -> MaatregelVoorgesteld:
    return MaatregelVoorgesteld(
        maatregel_id=uid(maatregel_id),
        leerling_id=uid(leerling),
        school_id=school,
        aanleiding_id=uid(aanleiding),
        code=code,
        titel=titel,
        activiteit=activiteit,
        verantwoordelijke=verantwoordelijke,  # type: ignore[arg-type]
        eindverantwoordelijke=eindverantwoordelijke,  # type: ignore[arg-type]
        optioneel=optioneel,
    )


def status(
    leerling: str,
    meldplicht_id: str,
    waarde: str,
    *,
    reden: str | None = None,
    meldingsnummer: str | None = None,
) -> VerzuimmeldingStatusGewijzigd:
    return VerzuimmeldingStatusGewijzigd(
        melding_id=uid(f"melding {meldplicht_id}"),
        meldplicht_id=uid(meldplicht_id),
        leerling_id=uid(leerling),
        school_id=SCHOOL_UUID,
        verzuimsoort="V3",
        status=waarde,  # type: ignore[arg-type]
        meldingsnummer=meldingsnummer,
        reden=reden,
    )


def intrekking(leerling: str, meldplicht_id: str) -> IntrekkingVoorgesteld:
    return IntrekkingVoorgesteld(
        meldplicht_id=uid(meldplicht_id),
        leerling_id=uid(leerling),
        school_id=SCHOOL_UUID,
        reden="na correctie minder dan 16 uur",
    )


def vervallen(leerling: str, meldplicht_id: str) -> MeldplichtVervallen:
    return MeldplichtVervallen(
        meldplicht_id=uid(meldplicht_id),
        leerling_id=uid(leerling),
        school_id=SCHOOL_UUID,
        reden="ziekmelding alsnog geaccepteerd",
    )


def geclassificeerd(
    leerling: str, datum: date, lesuur: int, minuten: int, status: str = "ongeoorloofd"
) -> VerzuimGeclassificeerd:
    return VerzuimGeclassificeerd(
        leerling_id=uid(leerling),
        school_id=SCHOOL_UUID,
        slot_id=f"{leerling}-{datum.isoformat()}-{lesuur}",
        datum=datum,
        lesuur=lesuur,
        status=status,  # type: ignore[arg-type]
        soort="afwezig",
        minuten=minuten,
        gemiste_minuten=minuten,
        eenheid="lesuur",
    )


def lessen(
    leerling: str, maandag: date, aantal: int, minuten: int = 60
) -> list[VerzuimGeclassificeerd]:
    """`aantal` unauthorised lessons in the week of `maandag`, 8 a day from Monday."""
    return [
        geclassificeerd(leerling, maandag + timedelta(days=i // 8), i % 8 + 1, minuten)
        for i in range(aantal)
    ]


HERFSTVAKANTIE = Periode(van=date(2025, 10, 20), tot=date(2025, 10, 24))


def school(school_id: UUID = SCHOOL_UUID) -> SchoolGeregistreerd:
    """A school that started on 1 September 2025, autumn vacation 20–24 October."""
    return SchoolGeregistreerd(
        school_id=school_id,
        brin="99XX",
        naam="Het Verzonnen Lyceum",
        sector="vo",
        kalender=Kalender(
            vakanties=[HERFSTVAKANTIE], eerste_schooldag=date(2025, 9, 1)
        ),
        rooster=Rooster(lesuren={}),
    )


def leerling_in_klas(leerling: str, klas: str) -> LeerlingGeregistreerd:
    return LeerlingGeregistreerd(
        leerling_id=uid(leerling),
        school_id=SCHOOL_UUID,
        geboortedatum=date(2011, 3, 14),
        woongemeente="Verzonnendam",
        inschrijving_vanaf=date(2023, 8, 1),
        klas=klas,
        pgn=VersleuteldPgn(soort="bsn", versleuteld="bWFkZS11cA=="),
    )


class Stroom:
    """Applies upstream events the way the consumer does (one batch, one save)."""

    def __init__(self, app: Opvolging, klok: FixedClock) -> None:
        self.app = app
        self.klok = klok
        self.policy = OpvolgingPolicy(app.beleid, klok.now)
        self._volgnummer = 0

    def envelope(self, event: ContractEvent) -> Any:
        self._volgnummer += 1
        return wrap(
            event,
            event_id=str(uuid4()),
            sequence=self._volgnummer,
            time=self.klok.now(),
        )

    def pas_toe(self, *events: ContractEvent, moment: datetime | None = None) -> None:
        if moment is not None:
            self.klok.set(moment)

        def batch(uow: Any) -> None:
            for event in events:
                self.policy(uow, event, self.envelope(event))

        self.app.werkeenheid(batch)

    def dossier_id(self, leerling: str, school: str = SCHOOL) -> UUID:
        dossier = self.app.open_dossier(school, str(uid(leerling)))
        assert dossier is not None
        return dossier.id
