"""Pausing Python's cyclic garbage collector around bursts of allocation.

Decoding many objects at once (stored JSON, the validation cache, an instant of controller work)
allocates a great many containers that refcounting frees and that form no cycles; yet each
burst triggers collections that walk every live object of the process, costing several times
the work itself (marshal-loading 2,000 cached documents: 10 ms paused, 60 ms not). Callers wrap
such bursts in `collector_paused()`.

What a burst leaves behind (caches of decoded objects, mostly) would then be walked by the
first collection after it, which finds next to nothing to free (0.2-0.4 s after a cold apply of
10,000 manifests, for nothing). So the pause ends by moving those objects to the oldest
generation unwalked (`gc.freeze()` then `gc.unfreeze()`, two list splices): the next full
collection, whenever the usual thresholds call it, walks them and frees any cycle among them.
Not once objects are frozen for good (`freeze_for_good`: the daemon freezes its folder's after
the initial sync): unfreezing would hand those back to the collector too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_frozen_for_good = False
"""Whether `freeze_for_good` ran (`gc.get_freeze_count()` would tell, but it counts the frozen
objects one by one: about 50 ms in a daemon of 10,000 manifests)."""


def freeze_for_good() -> None:
    """Exempt every object alive now from all later collections: for objects that live as long
    as the process."""
    global _frozen_for_good
    gc.freeze()
    _frozen_for_good = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nesting is fine: only the outermost resumes)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if not _frozen_for_good:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
