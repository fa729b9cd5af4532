"""Danish municipalities, regions and the comparison pools built from them.

Codes are Statistics Denmark's: three-digit municipality codes (Hjørring 860),
regions 81-85 (081-085 in Statbank) and 0 for the whole country. Names are
matched leniently: case, the suffix "Kommune", hyphens, and the spellings used
by Statbank's Danish and English exports ("Vesthimmerland"/"Vesthimmerlands",
"København"/"Copenhagen", "Århus"/"Aarhus") all map to the same code.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import pandas as pd

__all__ = [
    "KNOWN_OTHER_AREAS",
    "MUNICIPALITIES",
    "NORTH_JUTLAND",
    "REGIONS",
    "RURAL_MUNICIPALITIES",
    "AreaLevel",
    "area_code",
    "code_label_conflict",
    "comparison_pool",
    "is_known_other_area",
    "municipality_table",
]

AreaLevel = Literal["country", "region", "province", "municipality", "other"]

# code: (name, region code)
MUNICIPALITIES: dict[int, tuple[str, int]] = {
    # Region Hovedstaden (84)
    101: ("København", 84), 147: ("Frederiksberg", 84), 151: ("Ballerup", 84),
    153: ("Brøndby", 84), 155: ("Dragør", 84), 157: ("Gentofte", 84), 159: ("Gladsaxe", 84),
    161: ("Glostrup", 84), 163: ("Herlev", 84), 165: ("Albertslund", 84), 167: ("Hvidovre", 84),
    169: ("Høje-Taastrup", 84), 173: ("Lyngby-Taarbæk", 84), 175: ("Rødovre", 84),
    183: ("Ishøj", 84), 185: ("Tårnby", 84), 187: ("Vallensbæk", 84), 190: ("Furesø", 84),
    201: ("Allerød", 84), 210: ("Fredensborg", 84), 217: ("Helsingør", 84),
    219: ("Hillerød", 84), 223: ("Hørsholm", 84), 230: ("Rudersdal", 84), 240: ("Egedal", 84),
    250: ("Frederikssund", 84), 260: ("Halsnæs", 84), 270: ("Gribskov", 84),
    400: ("Bornholm", 84),
    # Region Sjælland (85)
    253: ("Greve", 85), 259: ("Køge", 85), 265: ("Roskilde", 85), 269: ("Solrød", 85),
    306: ("Odsherred", 85), 316: ("Holbæk", 85), 320: ("Faxe", 85), 326: ("Kalundborg", 85),
    329: ("Ringsted", 85), 330: ("Slagelse", 85), 336: ("Stevns", 85), 340: ("Sorø", 85),
    350: ("Lejre", 85), 360: ("Lolland", 85), 370: ("Næstved", 85), 376: ("Guldborgsund", 85),
    390: ("Vordingborg", 85),
    # Region Syddanmark (83)
    410: ("Middelfart", 83), 420: ("Assens", 83), 430: ("Faaborg-Midtfyn", 83),
    440: ("Kerteminde", 83), 450: ("Nyborg", 83), 461: ("Odense", 83), 479: ("Svendborg", 83),
    480: ("Nordfyns", 83), 482: ("Langeland", 83), 492: ("Ærø", 83), 510: ("Haderslev", 83),
    530: ("Billund", 83), 540: ("Sønderborg", 83), 550: ("Tønder", 83), 561: ("Esbjerg", 83),
    563: ("Fanø", 83), 573: ("Varde", 83), 575: ("Vejen", 83), 580: ("Aabenraa", 83),
    607: ("Fredericia", 83), 621: ("Kolding", 83), 630: ("Vejle", 83),
    # Region Midtjylland (82)
    615: ("Horsens", 82), 657: ("Herning", 82), 661: ("Holstebro", 82), 665: ("Lemvig", 82),
    671: ("Struer", 82), 706: ("Syddjurs", 82), 707: ("Norddjurs", 82), 710: ("Favrskov", 82),
    727: ("Odder", 82), 730: ("Randers", 82), 740: ("Silkeborg", 82), 741: ("Samsø", 82),
    746: ("Skanderborg", 82), 751: ("Aarhus", 82), 756: ("Ikast-Brande", 82),
    760: ("Ringkøbing-Skjern", 82), 766: ("Hedensted", 82), 779: ("Skive", 82),
    791: ("Viborg", 82),
    # Region Nordjylland (81)
    773: ("Morsø", 81), 787: ("Thisted", 81), 810: ("Brønderslev", 81),
    813: ("Frederikshavn", 81), 820: ("Vesthimmerlands", 81), 825: ("Læsø", 81),
    840: ("Rebild", 81), 846: ("Mariagerfjord", 81), 849: ("Jammerbugt", 81),
    851: ("Aalborg", 81), 860: ("Hjørring", 81),
}

REGIONS: dict[int, str] = {
    81: "Region Nordjylland",
    82: "Region Midtjylland",
    83: "Region Syddanmark",
    84: "Region Hovedstaden",
    85: "Region Sjælland",
}

NORTH_JUTLAND: tuple[int, ...] = tuple(c for c, (_, r) in MUNICIPALITIES.items() if r == 81)
"""The 11 municipalities of Region Nordjylland."""

RURAL_MUNICIPALITIES: tuple[int, ...] = (860, 773, 787, 810, 813, 820, 825, 846, 849)
"""Statistics Denmark's rural municipalities (Landkommuner) in North Jutland."""

# Statbank's provinces (landsdele) have codes 1-11; they are kept as labels only.
_PROVINCES = (
    "byen københavn", "københavns omegn", "nordsjælland", "bornholm", "østsjælland",
    "vest- og sydsjælland", "fyn", "sydjylland", "østjylland", "vestjylland", "nordjylland",
)

_ALIASES: dict[str, int] = {
    "copenhagen": 101,
    "kobenhavn": 101,
    "kobenhavns": 101,
    "arhus": 751,
    "vesthimmerland": 820,
    "nordfyn": 480,
    "hoje taastrup": 169,
    "lyngby taarbaek": 173,
    "brondby": 153,
    "bronderslev dronninglund": 810,
    "all denmark": 0,
    "hele landet": 0,
    "denmark": 0,
    "danmark": 0,
}


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKC", str(name)).strip().casefold()
    text = re.sub(r"\s+kommune$", "", text)
    text = re.sub(r"^region\s+", "region ", text)
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    text = re.sub(r"[-_.]", " ", text)
    text = re.sub(r"\s+", " ", text)
    # "aa" and "a" spellings of the letter å (Aarhus/Århus, Tårnby/Taarnby)
    return text.replace("aa", "a")


def _build_lookup() -> dict[str, tuple[int, AreaLevel]]:
    lookup: dict[str, tuple[int, AreaLevel]] = {}
    for code, (name, _) in MUNICIPALITIES.items():
        lookup[_key(name)] = (code, "municipality")
    for code, name in REGIONS.items():
        lookup[_key(name)] = (code, "region")
    for alias, code in _ALIASES.items():
        lookup[_key(alias)] = (code, "country" if code == 0 else "municipality")
    return lookup


_LOOKUP = _build_lookup()
_PROVINCE_KEYS = {_key(p) for p in _PROVINCES}
_CODE_AND_NAME = re.compile(r"^(\d{1,3})\s+(\S.*)$")

KNOWN_OTHER_AREAS: frozenset[str] = frozenset(
    _key(label)
    for label in (
        "Abroad", "Not stated municipality", "Outside Denmark", "Christiansø", "Unknown municipality",
        "Udlandet", "Uoplyst kommune", "Uden for Danmark", "Uden fast bopæl", "Ukendt kommune",
        "Uoplyst", "Unknown",
    )
)
"""Statbank area labels that belong to no municipality, region or province (level ``"other"``)."""


def is_known_other_area(name: str) -> bool:
    """Whether a label is one of Statbank's areas outside every municipality ("Abroad", "Christiansø").

    Examples
    --------
    >>> is_known_other_area("Not stated municipality"), is_known_other_area("Hjørringg")
    (True, False)
    """
    return _key(name) in KNOWN_OTHER_AREAS


def _split_code(text: str) -> tuple[int, str] | None:
    """``"860 Hjørring"`` -> (860, "Hjørring"): Statbank's "code and text" labels."""
    found = _CODE_AND_NAME.match(text)
    if found is None:
        return None
    return int(found.group(1)), found.group(2)


def code_label_conflict(name: str) -> str | None:
    """Describe a "code and text" label whose code and name disagree (``"851 Hjørring"``), else None.

    Examples
    --------
    >>> code_label_conflict("851 Hjørring")
    "code 851 is Aalborg but the name 'Hjørring' is 860"
    >>> code_label_conflict("860 Hjørring") is None
    True
    """
    split = _split_code(str(name).strip())
    if split is None:
        return None
    code, label = split
    named, level = area_code(label)
    if named is None or named == code or level not in ("municipality", "region", "country"):
        return None
    if code in MUNICIPALITIES:
        what = MUNICIPALITIES[code][0]
    elif code in REGIONS:
        what = REGIONS[code]
    elif code == 0:
        what = "the whole country"
    else:
        what = "no area"
    return f"code {code} is {what} but the name {label!r} is {named}"


def area_code(name: str) -> tuple[int | None, AreaLevel]:
    """Look up the Statistics Denmark code and level of an area name.

    Parameters
    ----------
    name : str
        A municipality, region or country label, Danish or English, with or
        without "Kommune"; also the three-digit code as text.

    Returns
    -------
    (code, level) : tuple
        ``code`` is None for provinces and labels such as "Abroad" or "Not
        stated municipality", whose level is ``"province"`` or ``"other"``.

    Examples
    --------
    >>> area_code("Hjørring")
    (860, 'municipality')
    >>> area_code("Vesthimmerland Kommune")
    (820, 'municipality')
    >>> area_code("Region Nordjylland")
    (81, 'region')
    >>> area_code("Province Nordjylland")
    (None, 'province')
    >>> area_code("860 Hjørring"), area_code("081 Region Nordjylland")
    ((860, 'municipality'), (81, 'region'))
    """
    text = str(name).strip()
    if text.isdigit():
        code = int(text)
        if code in MUNICIPALITIES:
            return code, "municipality"
        if code in REGIONS:
            return code, "region"
        if code == 0:
            return 0, "country"
    key = _key(text)
    if key in _LOOKUP:
        return _LOOKUP[key]
    split = _split_code(text)
    if split is not None:  # "860 Hjørring", "081 Region Nordjylland", "01 Landsdel Byen København"
        code, label = split
        named, level = area_code(label)
        if level == "province" or (named is not None and named == code):
            return named, level
        if named is None and level == "other":
            by_code, code_level = area_code(str(code))
            return (by_code, code_level) if code_level != "other" else (None, "other")
        return None, "other"
    stripped = re.sub(r"^(province|landsdel) ", "", key)
    if stripped != key and stripped in _PROVINCE_KEYS:
        return None, "province"
    return None, "other"


def municipality_table() -> pd.DataFrame:
    """All 98 municipalities with their codes and regions.

    Returns
    -------
    pandas.DataFrame
        Columns ``municipality`` (code), ``name``, ``region`` (code),
        ``region_name``; one row per municipality, sorted by code.

    Examples
    --------
    >>> table = municipality_table()
    >>> len(table), table.set_index("municipality").loc[860, "name"]
    (98, 'Hjørring')
    """
    rows = [
        (code, name, region, REGIONS[region])
        for code, (name, region) in sorted(MUNICIPALITIES.items())
    ]
    return pd.DataFrame(rows, columns=["municipality", "name", "region", "region_name"])


PoolName = Literal["north_jutland", "rural", "all"]


def comparison_pool(name: PoolName, treated: int | list[int] = 860) -> list[int]:
    """Municipality codes of a named comparison pool, without the treated ones.

    Parameters
    ----------
    name : {"north_jutland", "rural", "all"}
        ``"north_jutland"``: the other municipalities of Region Nordjylland;
        ``"rural"``: Statistics Denmark's rural municipalities there;
        ``"all"``: all 98 municipalities.
    treated : int or list of int, default 860
        Codes to leave out.

    Returns
    -------
    list of int

    Examples
    --------
    >>> comparison_pool("north_jutland")
    [773, 787, 810, 813, 820, 825, 840, 846, 849, 851]
    """
    pools: dict[str, tuple[int, ...]] = {
        "north_jutland": NORTH_JUTLAND,
        "rural": RURAL_MUNICIPALITIES,
        "all": tuple(MUNICIPALITIES),
    }
    if name not in pools:
        from hjeval.errors import DataError

        raise DataError(f"unknown comparison pool {name!r}; choose one of {sorted(pools)}")
    drop = {treated} if isinstance(treated, int) else set(treated)
    return sorted(c for c in pools[name] if c not in drop)
