"""Municipality sizes of the synthetic world and the per-scale sample factors.

Each municipality's number of benefit recipients is proportional to its
population times a benefit-incidence factor. At national scale the whole
country has :data:`NATIONAL_PERSON_MONTHS` nominal person-months over the 120
months 2010-2019; at region scale North Jutland keeps that size and every
other municipality is sampled at one tenth.
"""

from __future__ import annotations

from typing import Literal

from hjeval.data.municipalities import MUNICIPALITIES, NORTH_JUTLAND

__all__ = [
    "INCIDENCE",
    "NATIONAL_PERSON_MONTHS",
    "POPULATION",
    "REGION_OTHER_FACTOR",
    "Scale",
    "national_stock",
    "sample_factors",
]

Scale = Literal["region", "national"]

NATIONAL_PERSON_MONTHS = 10_000_000
"""Nominal person-month rows of the four target groups, whole country, 2010-2019."""

REGION_OTHER_FACTOR = 0.1
"""Sample factor of the municipalities outside North Jutland at region scale."""

# Approximate inhabitants (rounded, around 2017-2019).
POPULATION: dict[int, int] = {
    101: 630_000, 147: 104_000, 151: 48_500, 153: 35_000, 155: 14_000, 157: 75_000,
    159: 69_000, 161: 23_000, 163: 28_500, 165: 27_500, 167: 53_500, 169: 50_500,
    173: 56_000, 175: 40_000, 183: 23_000, 185: 43_000, 187: 16_500, 190: 41_000,
    201: 25_500, 210: 41_000, 217: 63_000, 219: 51_000, 223: 25_000, 230: 56_500,
    240: 43_500, 250: 45_000, 260: 31_000, 270: 41_000, 400: 39_500,
    253: 50_500, 259: 60_500, 265: 88_000, 269: 23_000, 306: 33_000, 316: 71_000,
    320: 36_500, 326: 49_000, 329: 35_000, 330: 79_000, 336: 23_000, 340: 30_000,
    350: 28_000, 360: 42_000, 370: 83_000, 376: 61_000, 390: 45_500,
    410: 38_500, 420: 41_000, 430: 51_500, 440: 24_000, 450: 32_000, 461: 204_000,
    479: 58_500, 480: 29_500, 482: 12_500, 492: 6_000, 510: 56_000, 530: 26_500,
    540: 74_500, 550: 37_500, 561: 115_500, 563: 3_400, 573: 50_000, 575: 42_700,
    580: 59_000, 607: 51_000, 621: 92_000, 630: 114_000,
    615: 89_000, 657: 88_000, 661: 58_500, 665: 20_000, 671: 21_500, 706: 42_500,
    707: 37_500, 710: 48_000, 727: 22_500, 730: 98_000, 740: 92_000, 741: 3_700,
    746: 61_000, 751: 340_000, 756: 41_000, 760: 57_000, 766: 46_500, 779: 46_500,
    791: 96_000,
    773: 20_500, 787: 43_500, 810: 36_000, 813: 60_000, 820: 37_000, 825: 1_800,
    840: 29_500, 846: 42_000, 849: 38_500, 851: 215_000, 860: 65_000,
}

# Benefit incidence relative to the population (1.0 when not listed): higher in
# peripheral and former industrial areas, lower in the affluent northern suburbs.
INCIDENCE: dict[int, float] = {
    860: 1.45, 813: 1.2, 773: 1.15, 787: 1.1, 810: 1.1, 820: 1.1, 825: 1.1, 846: 1.1,
    849: 1.1, 851: 1.1, 101: 1.1, 461: 1.15, 360: 1.5, 376: 1.3, 482: 1.3, 400: 1.2,
    153: 1.4, 165: 1.35, 169: 1.3, 183: 1.45, 167: 1.2, 330: 1.2, 370: 1.15,
    157: 0.55, 223: 0.55, 230: 0.55, 201: 0.65, 173: 0.65, 240: 0.7, 190: 0.7,
    269: 0.75, 155: 0.7, 187: 0.75, 746: 0.75, 710: 0.75, 840: 0.85,
}


def national_stock() -> dict[int, float]:
    """Nominal recipients per month (four groups together) per municipality, national scale.

    ``NATIONAL_PERSON_MONTHS / 120`` split in proportion to population times
    incidence. The realised panel differs somewhat, because entries and exits
    follow the business cycle and the reform.

    Returns
    -------
    dict of int to float
        Municipality code -> persons on benefit in an average month.

    Examples
    --------
    >>> stock = national_stock()
    >>> round(sum(stock.values()) * 120)
    10000000
    >>> 400 < stock[860] < 2000
    True
    """
    weight = {code: POPULATION[code] * INCIDENCE.get(code, 1.0) for code in MUNICIPALITIES}
    total = sum(weight.values())
    per_month = NATIONAL_PERSON_MONTHS / 120
    return {code: per_month * w / total for code, w in sorted(weight.items())}


def sample_factors(scale: Scale) -> dict[int, float]:
    """Share of each municipality's national size that a scale simulates.

    Parameters
    ----------
    scale : {"region", "national"}

    Returns
    -------
    dict of int to float
        1.0 everywhere at national scale; at region scale 1.0 in North Jutland
        and :data:`REGION_OTHER_FACTOR` elsewhere.

    Examples
    --------
    >>> factors = sample_factors("region")
    >>> factors[860], factors[101]
    (1.0, 0.1)
    """
    if scale == "national":
        return {code: 1.0 for code in sorted(MUNICIPALITIES)}
    return {
        code: 1.0 if code in NORTH_JUTLAND else REGION_OTHER_FACTOR
        for code in sorted(MUNICIPALITIES)
    }
