"""The stored text of an object: JSON written and read by orjson, with the json module behind it.

Store backends (through store/records.py) encode every write and decode every read and watch
with `encode` and `decode`; encoding and decoding were a quarter of a big cluster's time with the
json module, several times what orjson takes. This is the only module that imports orjson.

What the store gives back must be what it was given, as the json module alone kept it, so the
values orjson treats differently go through json instead:
- integers beyond 64 bits, which orjson refuses to write (and reads back as floats), dictionary
  keys that are not strings, subclasses of float, and strings holding lone surrogates: json
  writes the object, and its text begins with a space (valid JSON all the same), which tells
  `decode` to read it with json too;
- NaN and ±Infinity, which orjson writes as null: when an output holds `null` and the object a
  float that is not finite, json writes it (`NaN`, `Infinity`: not JSON proper), and `decode`,
  whose orjson refuses such a text, falls back to json for it.
Dictionary keys keep their order; orjson writes non-ASCII text as UTF-8 where json escapes it,
which decodes to the same values (nothing compares stored object texts byte for byte, and
label sets are compared as texts this module wrote).
"""

from __future__ import annotations

import json
import marshal
import math
from typing import Any

import orjson

_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)
JSON_MARK = " "
"""What a text that only json can read back faithfully begins with."""


def encode(value: Any) -> str:
    """The value's compact JSON text."""
    try:
        data = orjson.dumps(value)
    except orjson.JSONEncodeError:
        return JSON_MARK + _JSON.encode(value)
    if b"null" in data and not _surely_finite(value) and not _finite((value,)):
        return _JSON.encode(value)
    return data.decode()


def _surely_finite(value: Any) -> bool:
    """A quick screen before `_finite`: marshal writes each float as its 8 IEEE bytes, the last
    of which is 0x7f or 0xff for NaN and the infinities, and writes text as UTF-8 (never 0xff);
    an output holding neither byte (nearly every object) has none. A third of the walk's cost."""
    try:
        data = marshal.dumps(value)
    except ValueError:  # a type marshal does not know (a subclass): the walk decides
        return False
    return b"\x7f" not in data and b"\xff" not in data


def _finite(values: Any) -> bool:
    """Whether no float among the values (a dict's, a list's or a tuple's, and theirs) is NaN
    or infinite: a walk, about half what json takes to write them (pods hold nulls,
    `lastProbeTime`, in most of their writes)."""
    isfinite = math.isfinite
    for item in values.values() if isinstance(values, dict) else values:
        kind = type(item)
        if kind is str or kind is int or item is None:
            continue
        if kind is dict or kind is list or isinstance(item, dict | list | tuple):
            if not _finite(item):
                return False
        elif isinstance(item, float) and not isfinite(item):
            return False
    return True


def decode(text: str) -> Any:
    """The value a text from `encode` holds (or one the json module wrote, in files from before
    this module: alike, but for integers beyond 64 bits in them, which orjson reads as floats)."""
    if text.startswith(JSON_MARK):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
