"""The stored text of an object: JSON written and read by orjson, with the json module behind it.

Store backends (through store/records.py) encode every write and decode every read and watch
with `encode` and `decode`; encoding and decoding were a quarter of a big cluster's time with the
json module, several times what orjson takes. This is the only module that imports orjson.

What the store gives back must be what it was given, as the json module alone kept it, so the
values orjson treats differently go through json instead: integers beyond 64 bits, which orjson
refuses to write (and reads back as floats), dictionary keys that are not strings, subclasses of
float, and strings holding lone surrogates. json writes such an object, and its text begins with
a space (valid JSON all the same), which tells `decode` to read it with json too.

NaN and the infinities are not JSON, and no input brings them in: the manifest loader and the
web API refuse them where they are read, as kubectl does ("json: unsupported value: NaN"), and
the cluster computes none. So outputs are not searched for them (orjson would write them as
null): that search, needed for every output holding a null (every pod: `lastProbeTime`), cost
about a twentieth of the scheduler's time. Texts holding `NaN` or `Infinity`, which earlier
releases wrote, still read back, through json.

Dictionary keys keep their order; orjson writes non-ASCII text as UTF-8 where json escapes it,
which decodes to the same values (nothing compares stored object texts byte for byte, and
label sets are compared as texts this module wrote).
"""

from __future__ import annotations

import json
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
    return data.decode()


def decode(text: str) -> Any:
    """The value a text from `encode` holds (or one the json module wrote, in files from before
    this module: alike, but for integers beyond 64 bits in them, which orjson reads as floats)."""
    if text.startswith(JSON_MARK):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
