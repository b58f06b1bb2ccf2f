"""Kubernetes resource quantities: `100m`, `1`, `0.5`, `128Mi`, `1Gi`, `500M`, `1e3`.

The scheduler adds up container requests and compares them with node allocatable; it needs
exact values, so parsing yields a `Fraction` and the two readings Kubernetes uses are rounded up
as `resource.Quantity` rounds them: `milli_value` (cpu, in millicores) and `value` (memory and
everything else, in units). Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from reconciler.errors import Invalid

_PATTERN = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
"""The expression Kubernetes quotes when a quantity does not parse."""
_NUMBER = re.compile(r"^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(.*)$")
_EXPONENT = re.compile(r"^[eE]([-+]?[0-9]+)$")

_SUFFIXES: dict[str, Fraction] = {
    "": Fraction(1),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}


def parse_quantity(text: str | int | float) -> Fraction:
    """The exact value of a quantity; `Invalid` in Kubernetes' words when it does not parse."""
    if isinstance(text, bool):
        raise _invalid(str(text))
    if isinstance(text, int | float):
        return Fraction(text)
    match = _NUMBER.match(text.strip())
    if match is None:
        raise _invalid(text)
    number, suffix = match.groups()
    if suffix in _SUFFIXES:
        return Fraction(number) * _SUFFIXES[suffix]
    exponent = _EXPONENT.match(suffix)
    if exponent is None:
        raise _invalid(text)
    return Fraction(number) * Fraction(10) ** int(exponent.group(1))


def milli_value(text: str | int | float) -> int:
    """The quantity in thousandths, rounded up: `100m` → 100, `1` → 1000, `0.5` → 500."""
    return math.ceil(parse_quantity(text) * 1000)


def value(text: str | int | float) -> int:
    """The quantity in units, rounded up: `128Mi` → 134217728, `500M` → 500000000."""
    return math.ceil(parse_quantity(text))


def _invalid(text: str) -> Invalid:
    return Invalid(f"quantities must match the regular expression '{_PATTERN}' (got \"{text}\")")
