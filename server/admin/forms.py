"""The console's forms, read into the site file's data (the shape `[site]`, `[[rooms]]`…
have in TOML). Nothing is checked here: the site file's schema checks it all, once
(services/site_admin.py), and says which field is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from server.domain.schedule import WEEKDAYS

SITE_NUMBERS = (
    "on_time_grace_minutes",
    "early_checkin_minutes",
    "late_checkin_minutes",
    "delay_notice_minutes",
    "display_cycle_seconds",
    "personal_data_days",
)
# Where the site's door is, for "I'm here" by the phone's location (blank: by code only).
SITE_PLACE = ("latitude", "longitude", "arrival_radius_m")
_ROW_FIELD = re.compile(r"^(?P<kind>[a-z]+)-(?P<index>\d{1,3})-(?P<field>[a-z_]+(-[a-zA-Z-]+)?)$")


# The [site] keys the site form asks for. Any other the site has (the texts' region and
# "you are next" place, remote joining's limits, the survey text's delay: written in the
# site file) is kept as it is when the form is saved, not reset to its default.
SITE_FORM_KEYS = frozenset(
    {
        "name",
        "timezone",
        "languages",
        "hours",
        "display_languages",
        "public_url",
        "day_starts",
        *SITE_NUMBERS,
        *SITE_PLACE,
    }
)


def site_part(form: MultiDict[str, str], current: Mapping[str, Any]) -> dict[str, Any]:
    """[site] from the form, over the `current` one's settings the form does not ask
    for: a blank number takes the site file's default; the hours of a day are written
    "08:00-12:30, 13:30-18:00"; languages (and display languages) "en, es"; a blank day
    start is midnight."""
    data: dict[str, Any] = {key: v for key, v in current.items() if key not in SITE_FORM_KEYS}
    data |= {
        "name": form.get("name", ""),
        "timezone": form.get("timezone", ""),
        "languages": _words(form.get("languages", "")),
        "hours": {},
    }
    if display_languages := _words(form.get("display_languages", "")):
        data["display_languages"] = display_languages
    if public_url := form.get("public_url", "").strip():
        data["public_url"] = public_url
    if day_starts := form.get("day_starts", "").strip():
        data["day_starts"] = day_starts  # blank: midnight; "never": a 24-hour site
    for key in (*SITE_NUMBERS, *SITE_PLACE):
        if value := form.get(key, "").strip():
            data[key] = value  # the schema reads the number, or says it is none
    for day in WEEKDAYS:
        if spans := _spans(form.get(f"hours-{day}", "")):
            data["hours"][day] = spans
    return data


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[,\s]+", text) if word]


def _spans(text: str) -> list[str]:
    """ "08:00 - 12:30, 13:30-18:00": the spaces around a dash are the writer's own."""
    return [re.sub(r"\s+", "", span) for span in text.split(",") if span.strip()]


def named_rows(form: MultiDict[str, str], kind: str) -> list[dict[str, Any]]:
    """Rows of a list (`room-3-code`, `room-3-name-es`, `room-3-services`…), in order; a
    row left blank (the form's empty row for a new item) is no row. A room's own hours
    are `room-3-hours-mon`…: none given on any day, the room keeps the site's."""
    rows: dict[int, dict[str, Any]] = {}
    for key in form:
        match = _ROW_FIELD.match(key)
        if not match or match["kind"] != kind:
            continue
        row = rows.setdefault(int(match["index"]), {})
        field = match["field"]
        if field.startswith(("name-", "reason-")):
            table, _, lang = field.partition("-")
            if value := form.get(key, "").strip():
                row.setdefault(table, {})[lang] = value
        elif field.startswith("hours-"):
            if spans := _spans(form.get(key, "")):
                row.setdefault("hours", {})[field.removeprefix("hours-")] = spans
        elif field == "services":
            row["services"] = form.getlist(key)
        elif field == "active":
            row["active"] = form.get(key) == "on"
        elif value := form.get(key, "").strip():
            row[field] = value
    return [_as_item(row) for _, row in sorted(rows.items()) if _filled(row)]


def _filled(row: dict[str, Any]) -> bool:
    return any(value for key, value in row.items() if key not in {"active", "services"})


def _as_item(row: dict[str, Any]) -> dict[str, Any]:
    # An unchecked box is not sent: a row without "active" was taken out of use.
    return {**row, "active": row.get("active", False)}


def devices(form: MultiDict[str, str], kind: str) -> list[dict[str, Any]]:
    """A kiosk or display with no service ticked shows them all (no `services`)."""
    rows = named_rows(form, kind)
    for row in rows:
        if not row.get("services"):
            row.pop("services", None)
    return rows


def closures(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    """[[closures]]: `closure-0-date`, `-from`, `-to`, `-reason-es`; a row whose
    "remove" box is ticked is left out. A closure has no "in use": it is or is not."""
    return [
        {key: value for key, value in row.items() if key not in {"active", "remove"}}
        for row in named_rows(form, "closure")
        if not row.get("remove")
    ]


def feedback_question(form: MultiDict[str, str]) -> dict[str, Any] | None:
    """[feedback_question]: `question-en`, `question-es`…, one per language of the site; a
    blank one is left out (the schema then says which language it lacks). None, for no
    question: the "remove" button, or every language left blank."""
    if form.get("action") == "remove":
        return None
    text = {
        key.removeprefix("question-"): value.strip()
        for key, value in form.items()
        if key.startswith("question-") and value.strip()
    }
    return {"text": text} if text else None
