"""Pausing Python's cyclic garbage collector around bursts of allocation.

Decoding many objects at once (stored JSON, the validation cache, an instant of controller work)
allocates a great many containers that refcounting frees and that form no cycles; yet each
burst triggers collections that walk every live object of the process, costing several times
the work itself (marshal-loading 2,000 cached documents: 10 ms paused, 60 ms not). Callers wrap
such bursts in `collector_paused()`; the collector resumes, and catches up, afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nesting is fine: only the outermost resumes)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
