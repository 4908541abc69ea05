"""The three things a process keeps between reads of a site's estimates.

- The places and promises of every waiting ticket, at one sequence number: the reads
  between two changes (a thousand phones reconnecting to a process that just started)
  share one load of the queue instead of one each.
- The pace learnt from the site's history, for MODEL_LIFETIME: learning it reads two
  weeks of visits, and it barely moves in two minutes.
- The sequence number at which a whole-queue simulation last stored the site's waits
  for one joining each line: while the site is still at it, that wait is the next
  walk-in's own, and a check-in need not simulate its line again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from server.domain.estimate import Estimate
from server.domain.history import ClinicModel, learn
from server.extensions import db
from server.services.forecast_inputs import site_history
from server.services.lines import HeldPromise
from server.storage.models import Site

MODEL_LIFETIME = timedelta(minutes=2)  # the learnt pace is reused this long


@dataclass(frozen=True)
class HeldPlaces:
    """Every waiting ticket's place and what it holds, at one sequence number, as plain
    data."""

    seq: int
    day: date
    positions: Mapping[int, int]
    promises: Mapping[int, HeldPromise]
    first: dict[int, Estimate]  # tickets with no promise yet


def held_places(
    site: Site, now: datetime, load: Callable[[Site, datetime, date], HeldPlaces]
) -> HeldPlaces:
    """The site's held places at its current seq: kept ones, or `load`ed and kept."""
    cache: dict[int, HeldPlaces] = current_app.extensions.setdefault("waitroom.held_places", {})
    today = site.days.day_of(now)
    held = cache.get(site.id)
    if held is None or (held.seq, held.day) != (site.seq, today):
        held = load(site, now, today)
        cache[site.id] = held
    return held


def clinic_model(site: Site, now: datetime, *, any_age: bool = False) -> ClinicModel:
    """The site's pace, learnt from its history at most MODEL_LIFETIME ago; with
    `any_age`, however long ago (a check-in's estimate must not wait for two weeks of
    history to be read; its refresh learns it again)."""
    cache: dict[int, tuple[datetime, object, ClinicModel]] = current_app.extensions.setdefault(
        "waitroom.estimate_models", {}
    )
    # A site file loaded again may change services or their typical lengths.
    prior = tuple((s.id, s.typical_minutes) for s in site.services if s.active)
    cached = cache.get(site.id)
    fresh = cached is not None and (any_age or timedelta(0) <= now - cached[0] < MODEL_LIFETIME)
    if cached is not None and fresh and cached[1] == prior:
        return cached[2]
    model = learn(site_history(site, now))
    cache[site.id] = (now, prior, model)
    return model


@dataclass(frozen=True)
class Simulated:
    """The site's stored waits for one joining a line (`service_waits`) are a
    simulation's of the queue at `seq`: for every line (`services` None: the refresh), or
    for the lines a check-in simulated."""

    seq: int
    services: frozenset[int] | None = None

    def covers(self, seq: int, service_id: int) -> bool:
        return self.seq == seq and (self.services is None or service_id in self.services)


def note_simulated(site_id: int, simulated: Simulated) -> None:
    """After the commit that stored them at `simulated.seq`."""
    current_app.extensions.setdefault(_SIMULATED, {})[site_id] = simulated


def note_simulated_on_commit(site_id: int, simulated: Simulated) -> None:
    """Inside a change: note it once the change has committed at that seq (a change
    rolled back stored nothing)."""
    db.session.info[_PENDING] = (site_id, simulated)


def simulated_at(site_id: int) -> Simulated | None:
    """What this process last knew of the site's stored waits, if anything."""
    known: dict[int, Simulated] = current_app.extensions.get(_SIMULATED, {})
    return known.get(site_id)


_SIMULATED = "waitroom.simulated_at"
_PENDING = "waitroom.simulated_pending"  # session.info: noted when the change commits


@event.listens_for(Session, "after_commit")
def _note_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        note_simulated(*pending)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
