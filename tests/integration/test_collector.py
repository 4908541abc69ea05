"""The garbage collector's policy under `waitroom serve` (server/collector.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from server.collector import FreezeSurvivors


class _Cycle:
    def __init__(self) -> None:
        self.me = self  # only the cyclic collector can free it


def test_after_a_full_pass_survivors_are_frozen_and_every_thaw_period_given_back():
    calls: list[str] = []
    now = [0.0]
    policy = FreezeSurvivors(
        600,
        clock=lambda: now[0],
        freeze=lambda: calls.append("freeze"),
        thaw=lambda: calls.append("thaw"),
    )
    policy("start", {"generation": 2})
    policy("stop", {"generation": 0})
    policy("stop", {"generation": 1})
    assert calls == []  # young collections and starts change nothing
    policy("stop", {"generation": 2})
    now[0] = 599
    policy("stop", {"generation": 2})
    now[0] = 600
    policy("stop", {"generation": 2})
    now[0] = 700
    policy("stop", {"generation": 2})
    assert calls == ["freeze", "freeze", "thaw", "freeze"]


@pytest.fixture
def real_policy() -> Iterator[list[float]]:
    """The policy on Python's own collector, with a clock the test moves."""
    now = [0.0]
    policy = FreezeSurvivors(600, clock=lambda: now[0])
    gc.collect()
    gc.callbacks.append(policy)
    try:
        yield now
    finally:
        gc.callbacks.remove(policy)
        gc.unfreeze()
        gc.collect()


def test_a_cycle_frozen_alive_is_collected_once_the_frozen_are_given_back(real_policy):
    now = real_policy
    alive = _Cycle()
    gone = weakref.ref(alive)
    gc.collect()  # a full pass: the cycle survives it, and is frozen
    assert gc.get_freeze_count() > 0
    del alive  # now garbage, but where the collector does not look
    gc.collect()
    assert gone() is not None
    now[0] = 600
    gc.collect()  # the thaw period is over: this pass gives the frozen back
    gc.collect()  # and the next walks them
    assert gone() is None
