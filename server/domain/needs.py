"""What a patient asks for at check-in so that they are served and called well.

Personal (health) data: staff see it; the display and the phone never show it to
others, and it is removed with the patient's name after the site's retention period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CallNeeds:
    # An interpreter of the ticket's language (the language is known: the patient
    # chose it at the kiosk).
    interpreter: bool = False
    # The patient may not hear their number called: staff fetch them in person, and
    # their phone vibrates and shows the call full screen.
    may_not_hear: bool = False
    # The patient may not see the screen: their phone speaks the call.
    may_not_see: bool = False


# Nothing asked for.
NO_NEEDS = CallNeeds()


def requests_per_language(requests: Iterable[tuple[str, bool]]) -> list[dict[str, object]]:
    """Today's interpreter requests per language, from one (language, still open) pair
    per ticket that asked: how many in all and how many still wait or are being seen
    (the ones an interpreter is still needed for). The most asked-for language first."""
    per_language: dict[str, tuple[int, int]] = {}
    for language, still_open in requests:
        today, open_now = per_language.get(language, (0, 0))
        per_language[language] = (today + 1, open_now + int(still_open))
    ordered = sorted(per_language.items(), key=lambda item: (-item[1][0], item[0]))
    return [
        {"language": language, "today": today, "open": open_now}
        for language, (today, open_now) in ordered
    ]
