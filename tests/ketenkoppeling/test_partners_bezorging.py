"""The Notificatie aggregate records every delivery attempt; the Bezorger runs one
delivery through the routed channel. Fakes stand in for channels, except in the last
test, which signs a real webhook against a respx-mocked receiver."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError
from pydantic import SecretStr

from services.ketenkoppeling.partners import (
    Bezorger,
    Gebeurtenis,
    Inhoudmaker,
    Kanaal,
    Meldingsoort,
    Notificatie,
    NotificatieFout,
    NotificatieSoort,
    Notificatiestatus,
    Poging,
    Resultaat,
    Rol,
    Routering,
    Verzendopdracht,
    Verzendresultaat,
    WebhookSettings,
    WebhookVerzender,
    maak_notificaties,
    verifieer_webhook,
)

SCHOOL = "3f6b2c1e-9d4a-4c8e-8b7f-1a2b3c4d5e6f"
LEERLING = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d"
LPA_URL = "https://leerplicht.voorbeeldstad.example/webhooks/verzuimketen"
GEHEIM = "whsec_" + base64.b64encode(b"verzuimketen-test-sleutel-32-byt").decode()
NU = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)

ROUTERING = Routering.uit_gegevens(
    {
        "leerplicht": [
            {
                "naam": "Leerplicht Voorbeeldstad",
                "gemeentecodes": ["0999"],
                "webhook": {"url": LPA_URL, "secret_id": "lpa-voorbeeldstad"},
                "email": "leerplicht@voorbeeldstad.example",
            }
        ],
        "scholen": [
            {
                "school_id": SCHOOL,
                "naam": "Testcollege",
                "brin": "99XX",
                "zorgteam": {"email": "zorgteam@testcollege.example"},
            }
        ],
    }
)


class Klok:
    def __init__(self) -> None:
        self.nu = NU

    def __call__(self) -> datetime:
        return self.nu


class NepKanaal:
    """A channel that answers with the prepared results, one per delivery."""

    def __init__(self, *resultaten: Verzendresultaat) -> None:
        self.resultaten = list(resultaten)
        self.opdrachten: list[Verzendopdracht] = []

    async def verstuur(self, opdracht: Verzendopdracht) -> Verzendresultaat:
        self.opdrachten.append(opdracht)
        return self.resultaten.pop(0)


def resultaat(*pogingen: tuple[Resultaat, int | None]) -> Verzendresultaat:
    return Verzendresultaat(
        tuple(
            Poging(r, code, None if r is Resultaat.GELUKT else f"HTTP {code}")
            for r, code in pogingen
        )
    )


def gebeurtenis(**anders: Any) -> Gebeurtenis:
    velden: dict[str, Any] = {
        "id": "analyse-evt-42",
        "soort": NotificatieSoort.MELDING_VERZONDEN,
        "school_id": SCHOOL,
        "leerling_id": LEERLING,
        "datum": date(2025, 9, 18),
        "gemeentecode": "0999",
        "meldingsoort": Meldingsoort.ZESTIEN_UUR,
        "begindatum": date(2025, 9, 15),
        "einddatum": date(2025, 9, 17),
        "leerling_roepnaam": "Sanne",
        "ouder_emailadressen": ("ouder@thuis.example",),
    }
    velden.update(anders)
    return Gebeurtenis(**velden)


def lpa_webhook(klok: Klok | None = None) -> Notificatie:
    notificaties = maak_notificaties(
        gebeurtenis(), ROUTERING, Inhoudmaker(), klok=klok or Klok()
    )
    return next(n for n in notificaties if n.kanaal is Kanaal.WEBHOOK)


def test_one_notification_per_recipient_and_channel() -> None:
    notificaties = maak_notificaties(
        gebeurtenis(), ROUTERING, Inhoudmaker(), klok=Klok()
    )

    assert [(n.rol, n.kanaal) for n in notificaties] == [
        (Rol.LEERPLICHTAMBTENAAR, Kanaal.WEBHOOK),
        (Rol.LEERPLICHTAMBTENAAR, Kanaal.EMAIL),
        (Rol.OUDERS, Kanaal.EMAIL),
        (Rol.ZORGTEAM, Kanaal.EMAIL),
    ]
    assert all(n.status is Notificatiestatus.OPEN for n in notificaties)
    assert "Sanne" in notificaties[2].tekst
    assert "Sanne" not in notificaties[0].tekst


def test_ids_derive_from_the_source_event_recipient_and_channel() -> None:
    eerste = maak_notificaties(gebeurtenis(), ROUTERING, Inhoudmaker(), klok=Klok())
    nog_eens = maak_notificaties(gebeurtenis(), ROUTERING, Inhoudmaker(), klok=Klok())
    ander_event = maak_notificaties(
        gebeurtenis(id="analyse-evt-43"), ROUTERING, Inhoudmaker(), klok=Klok()
    )

    assert [n.id for n in eerste] == [n.id for n in nog_eens]
    assert len({n.id for n in eerste}) == len(eerste)
    assert not {n.id for n in eerste} & {n.id for n in ander_event}


def test_the_store_refuses_the_same_notification_twice() -> None:
    # A redelivered upstream event cannot create a second notification.
    app: Application[Any] = Application()
    app.save(*maak_notificaties(gebeurtenis(), ROUTERING, Inhoudmaker(), klok=Klok()))

    with pytest.raises(IntegrityError):
        app.save(
            *maak_notificaties(gebeurtenis(), ROUTERING, Inhoudmaker(), klok=Klok())
        )


async def test_every_attempt_and_the_delivery_are_recorded() -> None:
    klok = Klok()
    notificatie = lpa_webhook(klok)
    kanaal = NepKanaal(
        resultaat((Resultaat.TIJDELIJK_MISLUKT, 503), (Resultaat.GELUKT, 200))
    )
    klok.nu = NU + timedelta(seconds=3)

    uitkomst = await Bezorger({Kanaal.WEBHOOK: kanaal}, klok=klok).bezorg(notificatie)

    assert uitkomst.status is Notificatiestatus.BEZORGD
    assert [type(e).__name__ for e in notificatie.collect_events()] == [
        "NotificatieAangemaakt",
        "BezorgpogingGedaan",
        "BezorgpogingGedaan",
        "NotificatieBezorgd",
    ]
    assert [
        (p.nummer, p.resultaat, p.statuscode, p.fout) for p in notificatie.pogingen
    ] == [
        (1, Resultaat.TIJDELIJK_MISLUKT, 503, "HTTP 503"),
        (2, Resultaat.GELUKT, 200, None),
    ]
    assert notificatie.bezorgd_op == NU + timedelta(seconds=3)
    assert kanaal.opdrachten[0].notificatie_id == notificatie.id


async def test_the_record_survives_the_store() -> None:
    app: Application[Any] = Application()
    notificatie = lpa_webhook()
    kanaal = NepKanaal(resultaat((Resultaat.PERMANENT_MISLUKT, 410)))
    await Bezorger({Kanaal.WEBHOOK: kanaal}, klok=Klok()).bezorg(notificatie)
    app.save(notificatie)

    opgeslagen: Notificatie = app.repository.get(notificatie.id)

    assert isinstance(opgeslagen, Notificatie)
    assert opgeslagen.status is Notificatiestatus.MISLUKT
    assert opgeslagen.definitief_mislukt
    assert opgeslagen.reden_mislukt == "HTTP 410"
    assert [(p.nummer, p.statuscode) for p in opgeslagen.pogingen] == [(1, 410)]
    assert opgeslagen.pogingen[0].tijdstip == NU
    assert opgeslagen.rol is Rol.LEERPLICHTAMBTENAAR


async def test_a_failed_notification_waits_for_a_person_then_counts_on() -> None:
    klok = Klok()
    notificatie = lpa_webhook(klok)
    kanaal = NepKanaal(
        resultaat(
            (Resultaat.TIJDELIJK_MISLUKT, 503), (Resultaat.TIJDELIJK_MISLUKT, 503)
        ),
        resultaat((Resultaat.GELUKT, 204)),
    )
    bezorger = Bezorger({Kanaal.WEBHOOK: kanaal}, klok=klok)

    eerste = await bezorger.bezorg(notificatie)
    nog_eens = await bezorger.bezorg(notificatie)

    assert eerste.status is Notificatiestatus.MISLUKT
    assert not notificatie.definitief_mislukt
    assert nog_eens.pogingen == ()
    assert len(kanaal.opdrachten) == 1

    notificatie.bied_opnieuw_aan(door="gebruiker-7", tijdstip=NU + timedelta(hours=1))
    derde = await bezorger.bezorg(notificatie)

    assert derde.status is Notificatiestatus.BEZORGD
    assert [p.nummer for p in notificatie.pogingen] == [1, 2, 3]
    assert "HandmatigOpnieuwAangeboden" in [
        type(e).__name__ for e in notificatie.collect_events()
    ]


async def test_a_delivered_notification_is_not_sent_again() -> None:
    notificatie = lpa_webhook()
    kanaal = NepKanaal(resultaat((Resultaat.GELUKT, 200)))
    bezorger = Bezorger({Kanaal.WEBHOOK: kanaal}, klok=Klok())
    await bezorger.bezorg(notificatie)

    uitkomst = await bezorger.bezorg(notificatie)

    assert uitkomst.status is Notificatiestatus.BEZORGD
    assert len(kanaal.opdrachten) == 1


def test_only_a_failed_notification_can_be_offered_again() -> None:
    with pytest.raises(NotificatieFout, match="niet mislukt"):
        lpa_webhook().bied_opnieuw_aan(door="gebruiker-7", tijdstip=NU)


async def test_a_channel_that_is_not_configured_is_a_recorded_failure() -> None:
    notificatie = lpa_webhook()

    uitkomst = await Bezorger({}, klok=Klok()).bezorg(notificatie)

    assert uitkomst.status is Notificatiestatus.MISLUKT
    assert notificatie.pogingen[0].fout == "kanaal webhook is niet ingesteld"


async def test_signed_webhook_end_to_end_without_bsn() -> None:
    klok = Klok()
    notificatie = lpa_webhook(klok)
    settings = WebhookSettings(
        secrets={"lpa-voorbeeldstad": SecretStr(GEHEIM)},
        backoff_initial_seconds=0,
        backoff_jitter_seconds=0,
    )

    async with httpx.AsyncClient() as client:
        verzender = WebhookVerzender(client, settings, klok=klok)
        with respx.mock:
            route = respx.post(LPA_URL).mock(
                side_effect=[httpx.ConnectError("weg"), httpx.Response(202)]
            )
            uitkomst = await Bezorger({Kanaal.WEBHOOK: verzender}, klok=klok).bezorg(
                notificatie
            )

    assert uitkomst.status is Notificatiestatus.BEZORGD
    assert [p.fout for p in notificatie.pogingen] == ["ConnectError", None]
    verzoek = route.calls.last.request
    assert verifieer_webhook(GEHEIM, verzoek.headers, verzoek.content, nu=NU) == str(
        notificatie.id
    )
    body = json.loads(verzoek.content)
    assert body["data"]["leerling_id"] == LEERLING
    assert body["data"]["meldingsoort"] == "zestien_uur"
    assert "Sanne" not in verzoek.content.decode()
    assert "bsn" not in verzoek.content.decode().lower()
