"""The DUO stand-in's behaviour behind its one SOAP endpoint, free of HTTP framework.

`DuoStandin.verwerk` takes the SOAPAction and body and returns status, body and
headers. Failure modes (`Storingen`) are applied around the real processing: an outage
or a 500 before processing stores nothing; a 500 after processing, or a late answer
after a new melding was stored (pitfalls T6), leaves DUO holding what the client does
not know about.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import re
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from lxml import etree

from services.ketenkoppeling.duo import soap
from services.ketenkoppeling.duo.codes import Foutcode, MeldingStatus
from services.ketenkoppeling.duo.soap import MELDEN, MUTATIE, OPERATIES, Operatie, q
from standins.duo import antwoorden
from standins.duo.klok import Klok
from standins.duo.register import Register
from standins.duo.storingen import Storingen, Uitvalvenster
from standins.duo.verzoeken import (
    Afwijzing,
    lees_meldverzoek,
    lees_mutatieverzoek,
    lees_opvraagverzoek,
)

__all__ = ["Antwoord", "DuoStandin", "Verzoekrecord"]

logger = logging.getLogger(__name__)

_DOCUMENT_ID = re.compile(r"[A-Za-z0-9._\-]{1,40}")


@dataclass(frozen=True)
class Antwoord:
    status: int
    inhoud: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Verzoekrecord:
    """One request as the stand-in saw it (no personal data: no body is kept)."""

    volgnummer: int
    ontvangen: str
    soap_action: str | None
    operatie: str | None = None
    document_id: str | None = None
    http_status: int | None = None
    uitkomst: str = "in behandeling"

    def als_json(self) -> dict[str, object]:
        return asdict(self)


class DuoStandin:
    def __init__(
        self,
        register: Register,
        klok: Klok,
        storingen: Storingen | None = None,
        *,
        seed: int | None = None,
        max_verzoeken: int = 10_000,
    ) -> None:
        self.register = register
        self.storingen = storingen or Storingen()
        self._klok = klok
        self._toeval = random.Random(seed)
        self._volgnummer = 0
        self.verzoeken: deque[Verzoekrecord] = deque(maxlen=max_verzoeken)

    def voeg_uitval_toe(self, seconden: float, na_seconden: float = 0.0) -> None:
        begin = self._klok.nu() + timedelta(seconds=na_seconden)
        venster = Uitvalvenster(van=begin, tot=begin + timedelta(seconds=seconden))
        self.storingen = self.storingen.model_copy(
            update={"uitval": [*self.storingen.uitval, venster]}
        )

    def samenvatting(self) -> dict[str, object]:
        meldingen = self.register.meldingen()
        per_status = {status.value: 0 for status in MeldingStatus}
        for melding in meldingen:
            per_status[melding.status.value] += 1
        return {
            "aantal": len(meldingen),
            "per_status": per_status,
            "meldingen": [melding.overzicht() for melding in meldingen],
        }

    async def verwerk(self, soap_action: str | None, inhoud: bytes) -> Antwoord:
        self._volgnummer += 1
        record = Verzoekrecord(
            self._volgnummer, self._klok.nu().isoformat(), soap_action
        )
        self.verzoeken.append(record)
        storingen = self.storingen
        if storingen.vertraging_ms:
            await asyncio.sleep(storingen.vertraging_ms / 1000)

        uitval_tot = storingen.uitval_tot(self._klok.nu())
        if uitval_tot is not None:
            wacht = math.ceil((uitval_tot - self._klok.nu()).total_seconds())
            return self._fault(
                record,
                503,
                "soapenv:Server",
                "tijdelijk niet beschikbaar",
                {"Retry-After": str(max(wacht, 1))},
            )
        storing_5xx = self._toeval.random() < storingen.fractie_5xx
        na_verwerking = storing_5xx and self._toeval.random() < 0.5
        if storing_5xx and not na_verwerking:
            return self._fault(record, 500, "soapenv:Server", "interne fout")

        try:
            payload = soap.pak_uit(inhoud)
        except soap.SoapFault as fault:
            return self._fault(record, 500, fault.faultcode, fault.faultstring)
        operatie = OPERATIES.get(soap_action or "")
        if operatie is None or payload.tag != q(operatie.verzoek):
            return self._fault(
                record, 500, "soapenv:Client", "SOAPAction past niet bij het bericht"
            )
        record.operatie = operatie.naam

        try:
            antwoord, nieuw = self._behandel(operatie, payload, record, storingen)
        except Exception:
            logger.exception(
                "stand-in kon verzoek niet verwerken",
                extra={"event": "duo.standin.fout"},
            )
            return self._fault(record, 500, "soapenv:Server", "interne fout")

        if nieuw and self._toeval.random() < storingen.fractie_timeout_na_accept:
            record.uitkomst += ", laat beantwoord"
            await asyncio.sleep(storingen.timeout_slaap_ms / 1000)
        if na_verwerking:
            return self._fault(
                record, 500, "soapenv:Server", "interne fout na verwerking"
            )
        record.http_status = 200
        return Antwoord(200, soap.verpak(antwoord))

    def _behandel(
        self,
        operatie: Operatie,
        payload: etree._Element,
        record: Verzoekrecord,
        storingen: Storingen,
    ) -> tuple[etree._Element, bool]:
        """The answer payload and whether something new was stored."""
        document_id = payload.findtext(q("IdentificatiecodeBedrijfsdocument"))
        if document_id is not None and _DOCUMENT_ID.fullmatch(document_id):
            record.document_id = document_id
        try:
            schrijvend = operatie in (MELDEN, MUTATIE)
            if schrijvend and self._toeval.random() < storingen.fractie_afwijzing:
                raise Afwijzing(
                    Foutcode.AFGEWEZEN, "afgewezen (storing in de stand-in)"
                )
            if operatie is MELDEN:
                melding, nieuw = self.register.registreer(lees_meldverzoek(payload))
                record.uitkomst = "DC0018" + ("" if nieuw else " (herhaald)")
                return antwoorden.dc0018(melding, self.register.nu().date()), nieuw
            if operatie is MUTATIE:
                mutatie = lees_mutatieverzoek(payload)
                vastgelegd, nieuw = self.register.muteer(mutatie)
                record.uitkomst = "DC0001" + ("" if nieuw else " (herhaald)")
                return antwoorden.dc0001(mutatie.document_id, vastgelegd), nieuw
            vraag = lees_opvraagverzoek(payload)
            gevallen = self.register.gewijzigd_sinds(
                vraag.brin, vraag.sinds, vraag.document_id
            )
            record.uitkomst = f"DC0011 ({len(gevallen)})"
            return antwoorden.dc0011(vraag.sinds, gevallen), False
        except Afwijzing as afwijzing:
            record.uitkomst = f"DC0002 {afwijzing.code.value}"
            return antwoorden.dc0002(operatie, afwijzing, record.document_id), False

    @staticmethod
    def _fault(
        record: Verzoekrecord,
        status: int,
        faultcode: str,
        faultstring: str,
        headers: dict[str, str] | None = None,
    ) -> Antwoord:
        record.http_status = status
        fault = f"fault {faultcode}: {faultstring}"
        verwerkt = record.uitkomst != "in behandeling"
        record.uitkomst = f"{record.uitkomst}, dan {fault}" if verwerkt else fault
        return Antwoord(
            status, soap.fault_envelop(faultcode, faultstring), headers or {}
        )
