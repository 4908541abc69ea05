"""An appointment patient's morning link: texted on the morning of the appointment
("Tap here when you arrive"), it opens /a/<token>, where the patient says "I'm here"
with the site's arrival code in the same window as a check-in at the kiosk.

The rules, pure: when the text goes (from the site's hour, never at night, and not once
the kiosk would refuse the appointment as too late), and how long the link works (the
appointment's day, site time).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

# The site's hour for the morning text (the site file's `appointment_text_hour`): a
# morning hour, never at night.
DEFAULT_TEXT_HOUR = 7
EARLIEST_TEXT_HOUR = 7
LATEST_TEXT_HOUR = 12
# A text not sent by then (the server was down, or the file came late) is not sent:
# nobody is texted at night. The same evening as the survey's (domain/feedback.py).
NIGHT_FROM = time(21, 0)


def text_hour(setting: object) -> int:
    """The site's hour, or the default when the setting is not a morning hour."""
    if isinstance(setting, int) and EARLIEST_TEXT_HOUR <= setting <= LATEST_TEXT_HOUR:
        return setting
    return DEFAULT_TEXT_HOUR


def link_text_due(
    local_now: datetime, *, day: date, starts_at: datetime, late: timedelta, hour: int
) -> bool:
    """Whether an appointment's morning link is to be texted now (`local_now` in the
    site's time zone): on its day, from the site's hour until the night, and while the
    patient may still check in (not past its start plus the kiosk's late window)."""
    if local_now.date() != day:
        return False
    if not time(hour) <= local_now.time() < NIGHT_FROM:
        return False
    return local_now <= starts_at + late


def link_works(today: date, day: date) -> bool:
    """A morning link works on its appointment's day only (site calendar): it ends with
    the day, like the arrival code it is used with."""
    return today == day
