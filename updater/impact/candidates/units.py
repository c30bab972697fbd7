"""The billing unit a procedure descriptor names, so that a replacement that changes it is
seen: C9465 (per dose) -> J7318 (1 mg) or J9310 (100 mg) -> J9312 (10 mg) bills a different
quantity, and a chargemaster line that keeps its price and units after the switch charges
the wrong amount.

HCPCS and CPT descriptors name their unit in one comma-separated part, usually the last:
``Injection, rituximab, 100 mg``; ``..., per dose``; ``..., up to 1000 mcg``;
``..., per 50 strips``; ``..., each 15 minutes``; ``..., per square centimeter``;
``..., each``; ``Ground ambulance mileage, per statute mile``. That part is found from the
end (a trailing parenthesis such as "(for use in a demonstration project)" set aside) and
spelled one way (``milligrams`` -> ``mg``, ``i.u.`` -> ``iu``, ``per 1 mg`` = ``1 mg`` =
``mg``), so that two descriptors agree on their unit exactly when they bill the same
quantity.
"""

from __future__ import annotations

import re

import pandas as pd

# Units of measure, as written -> one spelling.
_MEASURES = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg",
    "mcg": "mcg", "microgram": "mcg", "micrograms": "mcg", "ug": "mcg",
    "g": "g", "gm": "g", "gram": "g", "grams": "g", "kg": "kg",
    "ml": "ml", "cc": "ml", "milliliter": "ml", "milliliters": "ml", "l": "l",
    "liter": "l", "liters": "l",
    "unit": "unit", "units": "unit", "iu": "iu", "international unit": "iu",
    "international units": "iu", "usp unit": "usp unit", "usp units": "usp unit",
    "meq": "meq", "mmol": "mmol",
    "millicurie": "mci", "millicuries": "mci", "mci": "mci",
    "microcurie": "uci", "microcuries": "uci", "uci": "uci",
    "square centimeter": "sq cm", "square centimeters": "sq cm", "sq cm": "sq cm",
    "cm2": "sq cm", "square inch": "sq in", "square inches": "sq in", "sq in": "sq in",
    "minute": "min", "minutes": "min", "min": "min", "hour": "hour", "hours": "hour",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month",
    "dose": "dose", "doses": "dose", "vial": "vial", "vials": "vial", "tablet": "tablet",
    "tablets": "tablet", "capsule": "capsule", "capsules": "capsule", "strip": "strip",
    "strips": "strip", "pair": "pair", "kit": "kit", "mile": "mile", "miles": "mile",
    "statute mile": "mile", "statute miles": "mile", "session": "session",
    "visit": "visit", "study dose": "study dose", "item": "item", "test": "test",
}
_NUMBER = r"\d[\d,]*(?:\.\d+)?|\.\d+"
_MEASURE = "|".join(sorted((re.escape(m).replace(r"\ ", r"\s+") for m in _MEASURES),
                           key=len, reverse=True))
# "100 mg", "per 250 mg", "up to 1000 mcg", "each 15 minutes", "per dose", "mg"
_AMOUNT = re.compile(rf"^(?:(?:per|up\s+to|each)\s+)?(?:(?P<n>{_NUMBER})\s*)?"
                     rf"(?P<m>{_MEASURE})$")
# "per diem", "per lens", "each dressing", "each", "pair": a count of something
_COUNT = re.compile(r"^(?:(?P<lead>per|each)(?:\s+(?P<what>[a-z][a-z-]*(?:\s+[a-z]+)?))?"
                    r"|(?P<pair>pair))$")
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def billing_unit(descriptor: str) -> tuple[str, str]:
    """``(one spelling, as written)`` of the unit a descriptor names, ``("", "")`` when it
    names none: ``"Injection, rituximab, 100 mg"`` -> ``("100 mg", "100 mg")``;
    ``"..., per dose"`` -> ``("dose", "per dose")``."""
    text = " ".join(descriptor.lower().replace("i.u.", "iu").split())
    while _TRAILING_NOTE.search(text):
        text = _TRAILING_NOTE.sub("", text)
    for part in reversed(re.split(r",(?!\d)|;", text)):  # not the comma of 1,000
        part = part.strip().rstrip(".")
        found = _AMOUNT.match(part)
        if found:
            number = (found.group("n") or "1").replace(",", "")
            number = number.rstrip("0").rstrip(".") if "." in number else number
            measure = _MEASURES[" ".join(found.group("m").split())]
            return (measure if number in ("1", "") else f"{number} {measure}"), part
        counted = _COUNT.match(part)
        if counted:
            if counted.group("pair"):
                return "pair", part
            what = counted.group("what") or ""
            return (_MEASURES.get(what, what) or "each"), part
    return "", ""


def billing_units(descriptors: pd.Series) -> pd.DataFrame:
    """``unit`` (one spelling) and ``unit_as_written`` per descriptor, worked out once per
    distinct text."""
    distinct = pd.unique(descriptors.fillna("").astype(str))
    found = {d: billing_unit(d) for d in distinct}
    text = descriptors.fillna("").astype(str)
    return pd.DataFrame({"unit": text.map(lambda d: found[d][0]),
                         "unit_as_written": text.map(lambda d: found[d][1])},
                        index=descriptors.index)
