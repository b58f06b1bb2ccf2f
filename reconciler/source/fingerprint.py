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

UNCHANGED_FOR_NS = 1_000_000_000
"""How long before a run a file must have last changed for its stat alone to vouch for its
content in a later process (git's rule for "racily clean" files): a second change within the
same timestamp tick would leave size, times and inode as they were. A second covers file systems
that keep whole seconds."""


def stat_fingerprint(
    files: Sequence[SourceFile], problems: Sequence[Diagnostic], *, taken_at: int
) -> str | None:
    """A digest of every file's name, device, inode, size, mtime and ctime, in order, and of the
    problems; None when a file cannot vouch for its content that way: standard input, a file
    that cannot be stat'ed, or one whose times are not at least UNCHANGED_FOR_NS older than
    `taken_at` (wall time in ns, told before the first stat). A later change to a file always
    moves its ctime, which no program can set back, so the same fingerprint later means the
    same contents as when it was taken."""
    horizon = taken_at - UNCHANGED_FOR_NS
    rows = []
    for source in files:
        if source.path is None:
            return None
        try:
            info = os.stat(source.path)
        except OSError:
            return None
        if info.st_ctime_ns >= horizon or info.st_mtime_ns >= horizon:
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


def short_digest(data: bytes) -> str:
    """A short digest of bytes: files' contents, and what a load or a run depends on."""
    return blake2b(data, digest_size=16).hexdigest()
