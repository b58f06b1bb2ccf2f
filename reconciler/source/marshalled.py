"""One marshal file of plain values, read whole or not at all and replaced atomically.

The per-file disk store (`cache.py`) and the memo of validation summaries (`summary.py`) keep
their values here. marshal, not pickle: it holds only plain values (no code runs on load) and is
the fastest format Python has for them. A header names the format and whatever the values depend
on; a file that is missing, unreadable, corrupt, truncated or written under another header reads
as nothing, never as an error. Writing goes to a file aside, then renames it over the old one,
so a reader never sees half a file; a failed write leaves the old file and reports False. What
the values mean, and whether they are still valid, is the caller's business.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any


def read_value(path: Path, header: str) -> Any:
    """The value written with this header, or None."""
    try:
        # One read, then loads: marshal.load on a file reads in small pieces (2x slower).
        found, value = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if found == header else None


def write_value(path: Path, header: str, value: Any) -> bool:
    """Replace the file with this value under this header (False when that failed)."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(aside, "wb") as stream:
            marshal.dump((header, value), stream)
        os.replace(aside, path)
    except (OSError, ValueError):
        aside.unlink(missing_ok=True)
        return False
    return True
