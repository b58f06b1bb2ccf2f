"""YAML scalars as Kubernetes reads them: go-yaml v2's YAML 1.1 resolution, as kubectl uses it.

The loader calls these for every scalar it builds. Unquoted `yes`/`on`/`y` are booleans,
`0755` is octal, `1_000` is 1000, `08` is the float 8.0, and timestamps stay strings (go-yaml
keeps them text when decoding into untyped values), so `value: yes` in an env var fails here as
it fails against the API server. Pure functions.
"""

from __future__ import annotations

import math
import re
from typing import Any

_CONSTANTS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(
        ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True
    ),
    **dict.fromkeys(
        ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False
    ),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NUMBER_START = frozenset("+-.0123456789")
YAML_TAG = "tag:yaml.org,2002:"


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar: null, bool, int, float or the string itself."""
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if text[0] in _NUMBER_START:
        plain = text.replace("_", "")
        if _INT.match(plain):
            return _to_int(plain)
        if _FLOAT.match(plain):
            value = float(plain)
            # Out of float64's range (`1e999`) Go's ParseFloat fails, so go-yaml keeps the text.
            return text if math.isinf(value) else value
    return text


def _to_int(plain: str) -> int:
    digits = plain.lstrip("+-")
    sign = -1 if plain.startswith("-") else 1
    if len(digits) > 1 and digits[0] == "0" and digits[1] in "01234567":
        return sign * int(digits, 8)  # go's ParseInt(_, 0, _) reads a leading 0 as octal
    return sign * int(digits, 0)


def tagged_scalar(tag: str, text: str) -> Any:
    """A scalar with an explicit standard tag (`!!str 8080`); raises ValueError otherwise."""
    if tag == "!" or tag == YAML_TAG + "str":
        return text
    value = resolve_plain(text) if text else None
    expected = {
        YAML_TAG + "int": int,
        YAML_TAG + "float": float,
        YAML_TAG + "bool": bool,
        YAML_TAG + "null": type(None),
    }.get(tag)
    if expected is None:
        raise ValueError(f"unsupported YAML tag {short_tag(tag)}")
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not expected:
        raise ValueError(f"cannot read {text!r} as {short_tag(tag)}")
    return value


def short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(YAML_TAG) if tag.startswith(YAML_TAG) else tag


def key_text(value: Any) -> str:
    """How a non-string key becomes a JSON key, as sigs.k8s.io/yaml converts it."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
