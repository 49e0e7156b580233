"""The DUO verzuimregister adapter (D21).

Every DUO-specific name, namespace, code value and transport detail lives in this
package, with its own schema (`schema/verzuimmelding.xsd`). The rest of the product
hands in a `DuoMelding` or `DuoMutatie` and gets the model types back; moving to DUO's
current specification replaces this package only.
"""

from services.ketenkoppeling.duo.client import DuoClient
from services.ketenkoppeling.duo.codes import (
    CcOntvanger,
    Foutcode,
    Leerweg,
    MeldingStatus,
    Mutatiesoort,
    SoortOpleiding,
    Verzuimsoort,
    VormOpleiding,
)
from services.ketenkoppeling.duo.errors import (
    DuoAfwijzing,
    DuoFout,
    DuoOnbereikbaar,
    DuoProtocolFout,
    OngeldigBericht,
    OngeldigeMelding,
)
from services.ketenkoppeling.duo.model import (
    DuoMelding,
    DuoMutatie,
    Melder,
    Meldingsbevestiging,
    Mutatiebevestiging,
    Onderwijsdeelname,
    Verzuimdag,
    Verzuimgeval,
    documentnummer,
)
from services.ketenkoppeling.duo.settings import DuoSettings

__all__ = [
    "CcOntvanger",
    "DuoAfwijzing",
    "DuoClient",
    "DuoFout",
    "DuoMelding",
    "DuoMutatie",
    "DuoOnbereikbaar",
    "DuoProtocolFout",
    "DuoSettings",
    "Foutcode",
    "Leerweg",
    "Melder",
    "MeldingStatus",
    "Meldingsbevestiging",
    "Mutatiebevestiging",
    "Mutatiesoort",
    "OngeldigBericht",
    "OngeldigeMelding",
    "Onderwijsdeelname",
    "SoortOpleiding",
    "Verzuimdag",
    "Verzuimgeval",
    "Verzuimsoort",
    "VormOpleiding",
    "documentnummer",
]
