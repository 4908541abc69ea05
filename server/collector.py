"""Python's cyclic garbage collector, kept from pausing a server of thousands of sockets.

A full collection walks every object the process holds, and under gevent nothing else
runs meanwhile. With a thousand phones connected such a pass took 30-40 ms every few
seconds; with 2,500 phones on each of two processes, 150-440 ms (measured with
bench/push_latency.py): the worst delays phones saw. Most of what a pass walks lives
as long as the process (the app, the sockets of phones still waiting) and is walked
again for nothing.

So after each full pass what survived it is frozen (`gc.freeze`): moved where the
collector does not look, so the next pass walks only what came since, and passes stay
short. A reference cycle among the frozen that becomes garbage (a phone that went
away) would never be collected, so every `THAW_SECONDS` the frozen are given back: the
next full pass walks everything once and frees them. One long pass every ten minutes
instead of one every few seconds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

THAW_SECONDS = 600.0
OLDEST = 2  # the generation of a full collection


class FreezeSurvivors:
    """A gc callback: after a full collection, freeze what survived, or every
    `thaw_seconds` give all back instead."""

    def __init__(
        self,
        thaw_seconds: float = THAW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        freeze: Callable[[], None] = gc.freeze,
        thaw: Callable[[], None] = gc.unfreeze,
    ) -> None:
        self.thaw_seconds = thaw_seconds
        self._clock, self._freeze, self._thaw = clock, freeze, thaw
        self._thawed_at = clock()

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info["generation"] != OLDEST:
            return
        now = self._clock()
        if now - self._thawed_at >= self.thaw_seconds:
            self._thawed_at = now
            self._thaw()
        else:
            self._freeze()


def install(thaw_seconds: float = THAW_SECONDS) -> FreezeSurvivors:
    """Freeze what start-up made, and keep freezing survivors (`waitroom serve`)."""
    policy = FreezeSurvivors(thaw_seconds)
    gc.collect()
    gc.freeze()
    gc.callbacks.append(policy)
    return policy
