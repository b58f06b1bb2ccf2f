"""What a run over some files depends on, told cheaply: digests of bytes, and of the files' stat.

`summarize_paths` (validate.py) answers a run over files that have not changed from its memo by
these alone, without the per-file cache (cache.py) and what that imports, so a `reconciler
validate` over an unchanged folder costs little more than starting and listing it; the cache
digests what it reads with `short_digest` too.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence

try:  # hashlib's own blake2b, without the OpenSSL library that importing hashlib loads first
    # (6 ms of every command that reads manifests: a twentieth of a validate the memo answers)
    from _blake2 import blake2b
except ImportError:  # an interpreter built without the module: the same function via hashlib
    from hashlib import blake2b

from reconciler.source.diagnostics import Diagnostic
from reconciler.source.files import SourceFile

UNCHANGED_FOR_NS = 100_000_000
"""How long before a run a file must have last changed for its stat alone to vouch for its
content in a later process (git's rule for "racily clean" files): a second change within the
same tick of the file system's clock would leave size, times and inode as they were. Linux
stamps files from its coarse clock, one tick of 1-10 ms (finer still since 6.13), and exFAT
keeps 10 ms; a tenth of a second covers them all."""
WHOLE_SECONDS_UNCHANGED_FOR_NS = 2_000_000_000
"""The same for a time in whole seconds: its file system keeps no fraction (ext3, old NFS
servers), or only even seconds (FAT's modification times, though it keeps creation times, its
ctime, to 10 ms: so each time is judged by itself)."""


def stat_fingerprint(
    files: Sequence[SourceFile], problems: Sequence[Diagnostic], *, taken_at: int
) -> str | None:
    """A digest of every file's name, device, inode, size, mtime and ctime, in order, and of the
    problems; None when a file cannot vouch for its content that way: standard input, a file
    that cannot be stat'ed, or one that had not `settled` at `taken_at` (wall time in ns, told
    before the first stat). A later change to a file always moves its ctime, which no program
    can set back, so the same fingerprint later means the same contents as when it was taken."""
    rows = []
    for source in files:
        if source.path is None:
            return None
        try:
            info = os.stat(source.path)
        except OSError:
            return None
        if not (
            settled(info.st_mtime_ns, taken_at=taken_at)
            and settled(info.st_ctime_ns, taken_at=taken_at)
        ):
            return None
        rows.append(
            (
                source.display,
                info.st_dev,
                info.st_ino,
                info.st_size,
                info.st_mtime_ns,
                info.st_ctime_ns,
            )
        )
    return short_digest(marshal.dumps((rows, [str(problem) for problem in problems])))


def settled(changed_at: int, *, taken_at: int) -> bool:
    """Whether a file's mtime or ctime, `changed_at` (ns), was old enough at `taken_at` for its
    stat to vouch for its content: by `UNCHANGED_FOR_NS`, or, when the time is a whole second,
    by `WHOLE_SECONDS_UNCHANGED_FOR_NS`."""
    if changed_at % 1_000_000_000 == 0:
        return taken_at - changed_at > WHOLE_SECONDS_UNCHANGED_FOR_NS
    return taken_at - changed_at > UNCHANGED_FOR_NS


def short_digest(data: bytes) -> str:
    """A short digest of bytes: files' contents, and what a load or a run depends on."""
    return blake2b(data, digest_size=16).hexdigest()
