"""Pausing Python's cycle collector around work that builds millions of short-lived objects."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector for the block, then restore it as it was.

    A 100,000-row import or a national evaluation snapshot is millions of live Python objects, and every
    collection their own allocations set off walked them all: seconds of work for nothing. Reference counting
    still frees everything (this work makes no cycles).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
