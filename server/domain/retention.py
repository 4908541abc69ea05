"""How long a visit's personal data is kept: names, birth dates and what a patient
asked for at check-in. The visit itself (its times, calls and waits) stays for the
reports; only what says who the patient was is removed.

The rule counts whole days of the site's calendar: the data of a visit is kept for
the rest of its day and `keep_days` days more, then removed at the next midnight (site
time). With the default of one day, Tuesday's names are there all of Wednesday (for a
call back, a form to finish, a question at the desk) and gone from Thursday 00:00. The
clinic's own records live in its own system; Waitroom needs the names only on the day.
"""

from __future__ import annotations

from datetime import date, timedelta

DEFAULT_KEEP_DAYS = 1
MAX_KEEP_DAYS = 366


def clear_visits_before(today: date, keep_days: int) -> date:
    """The first visit day whose personal data is still kept, on the site's `today`:
    every visit of an earlier day has its personal data removed."""
    return today - timedelta(days=keep_days)


def removed_from(visit_day: date, keep_days: int) -> date:
    """The day (from its midnight, site time) the data of a visit on `visit_day` is gone."""
    return visit_day + timedelta(days=keep_days + 1)
