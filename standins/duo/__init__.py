"""A stand-in for DUO's verzuimregister speaking the adapter's SOAP contract (D21).

It validates like DUO (schema, BRIN, eleven test, conditionally required fields),
assigns meldingsnummers, answers a repeated document number with the first answer,
moves statuses R → B → G/K on its clock and can misbehave on request (`Storingen`).
Run it with `python -m standins.duo`; tests use `StandinInThread`.
"""

from standins.duo.app import SOAP_PAD, maak_app
from standins.duo.certs import Certificaten, maak_certificaten, zorg_voor_certificaten
from standins.duo.dienst import DuoStandin
from standins.duo.klok import HandKlok, Klok, Systeemklok
from standins.duo.register import Register
from standins.duo.server import StandinInThread, uvicorn_config
from standins.duo.storingen import Storingen, Uitvalvenster

__all__ = [
    "SOAP_PAD",
    "Certificaten",
    "DuoStandin",
    "HandKlok",
    "Klok",
    "Register",
    "StandinInThread",
    "Storingen",
    "Systeemklok",
    "Uitvalvenster",
    "maak_app",
    "maak_certificaten",
    "uvicorn_config",
    "zorg_voor_certificaten",
]
