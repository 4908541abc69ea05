"""Wait-time predictors: pure functions of a queue snapshot, no clock read inside."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """Minutes until the patient is likely to be called: a central value and a range."""

    central: int
    low: int
    high: int

    def as_dict(self) -> dict[str, int]:
        return {"central": self.central, "low": self.low, "high": self.high}


def naive_wait(patients_ahead: int, typical_minutes: float, open_rooms: int) -> Estimate:
    """Patients ahead x typical visit length / open rooms, with a +-40% range.

    This is the rule of thumb most clinics display. It ignores time already spent by
    patients in service and rooms that are idle; better predictors replace it.
    """
    if patients_ahead <= 0:
        return Estimate(0, 0, max(1, math.ceil(typical_minutes / max(open_rooms, 1))))
    rooms = max(open_rooms, 1)
    central = patients_ahead * typical_minutes / rooms
    return Estimate(
        central=round(central),
        low=math.floor(central * 0.6),
        high=math.ceil(central * 1.4),
    )
