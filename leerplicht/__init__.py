"""Shared, pure rules of the Leerplichtwet: school calendar, regimes and timetables.

Registratie and analyse both apply these, so a lesdag, a window or a regime means the
same in every service.
"""

from leerplicht.kalender import (
    KalenderFout,
    Periode,
    SchoolKalender,
    is_feestdag,
    is_werkdag,
    schooljaar_van,
    vervaldatum,
    werkdag_na,
)
from leerplicht.regime import (
    Regime,
    Regimetijdlijn,
    kwalificatieplicht_einde,
    leerplicht_einde,
    leerplicht_start,
    regime_op,
    verjaardag,
)
from leerplicht.rooster import (
    DREMPEL_MELDPLICHT_MINUTEN,
    Eenheid,
    Lesuur,
    Rooster,
    RoosterFout,
    telwaarde_minuten,
)

__all__ = [
    "DREMPEL_MELDPLICHT_MINUTEN",
    "Eenheid",
    "KalenderFout",
    "Lesuur",
    "Periode",
    "Regime",
    "Regimetijdlijn",
    "Rooster",
    "RoosterFout",
    "SchoolKalender",
    "is_feestdag",
    "is_werkdag",
    "kwalificatieplicht_einde",
    "leerplicht_einde",
    "leerplicht_start",
    "regime_op",
    "schooljaar_van",
    "telwaarde_minuten",
    "verjaardag",
    "vervaldatum",
    "werkdag_na",
]
