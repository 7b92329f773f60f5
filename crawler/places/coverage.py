"""The area a site covers, as the place tagger reads it: its districts when it declares them, else its Land."""

from __future__ import annotations

import re
from typing import Any

from crawler.places.gazetteer import LAND_CODES

_LAND_BY_NAME = {
    "Baden-Württemberg": "DE-BW", "Bayern": "DE-BY", "Berlin": "DE-BE", "Brandenburg": "DE-BB",
    "Bremen": "DE-HB", "Hamburg": "DE-HH", "Hessen": "DE-HE", "Mecklenburg-Vorpommern": "DE-MV",
    "Niedersachsen": "DE-NI", "Nordrhein-Westfalen": "DE-NW", "Rheinland-Pfalz": "DE-RP", "Saarland": "DE-SL",
    "Sachsen": "DE-SN", "Sachsen-Anhalt": "DE-ST", "Schleswig-Holstein": "DE-SH", "Thüringen": "DE-TH",
}  # fmt: skip
_CODES = frozenset(LAND_CODES.values())


def site_coverage(spider: Any) -> tuple[str, ...]:
    """5-digit district keys from a ``districts`` attribute; else the ISO codes of ``land``/``lands``; else
    the Länder ``region`` names ("Niedersachsen: Braunschweig, ...", "Sachsen, Sachsen-Anhalt, Thüringen");
    else nothing."""
    districts = getattr(spider, "districts", None)
    if isinstance(districts, list | tuple) and districts:
        return tuple(str(d) for d in districts)
    lands = [getattr(spider, "land", None), *(getattr(spider, "lands", None) or ())]
    codes = tuple(str(c).upper() for c in lands if isinstance(c, str) and str(c).upper() in _CODES)
    if codes:
        return codes
    region = getattr(spider, "region", None)
    if isinstance(region, str):
        names = [part.strip() for part in re.split(r"[,:;]", region)]
        return tuple(dict.fromkeys(_LAND_BY_NAME[n] for n in names if n in _LAND_BY_NAME))
    return ()
