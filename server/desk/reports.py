"""The manager's reports page at /reports: a site, some days and filters; a picture
before each table, every table as CSV, printable on A4. A report, so no socket: the
page is drawn once from services/reports.py, and the filters reload it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from server import auth, clock, services
from server.desk import bp
from server.domain import reports as rules
from server.domain.errors import BadInput
from server.services.reports import TABLES, report_csvs
from server.storage.models import Site


@bp.get("/reports")
def reports_page() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.full_path.rstrip("?")))
    user, site = auth.reporter_for(request.args.get("site") or _first_report_site())
    choice = _choice(site)
    data = services.report(site.slug, choice["first"], choice["last"], **_filters())
    return render_template(
        "desk/reports.html",
        site=site,
        user=user,
        sites=[s for s in user.sites if auth.can_read_reports(user, s)],
        choice=choice,
        data=data,
        tables=TABLES,
        labels=(labels := _labels()),
        titles=_titles(),
        words=_words(),
        charts=_charts(data, labels),
        csv_query=_csv_query(data),
        shown_change=rules.shown_change,
        shares=rules.SHARES,
    )


@bp.get("/reports/<site>/<name>.csv")
def report_csv(site: str, name: str) -> Any:
    auth.reporter_for(site)
    first, last = _day("from"), _day("to")
    data = services.report(site, first, last, **_filters())
    files = report_csvs(data)
    if f"{name}.csv" not in files:
        raise BadInput(gettext("There is no such table."))
    filename = f"{site}-{data['from']}-{data['to']}-{name}.csv"
    return Response(
        files[f"{name}.csv"],
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _first_report_site() -> str:
    for site in current_user.sites:
        if auth.can_read_reports(current_user, site):
            return str(site.slug)
    raise auth.Forbidden(gettext("Only the site's managers and administrators read its reports."))


def _choice(site: Site) -> dict[str, Any]:
    """The range the form chose, and its days."""
    preset = request.args.get("range", "7")
    if preset not in rules.PRESETS:
        raise BadInput(gettext("Choose a range from the list."))
    today = site.days.day_of(clock.now())
    month = request.args.get("month") or None
    try:
        first, last = rules.preset_days(preset, today, month, _day("from"), _day("to"))
    except ValueError as error:
        raise BadInput(gettext("Give the month as YYYY-MM.")) from error
    return {
        "range": preset,
        "month": month or today.strftime("%Y-%m"),
        "first": first,
        "last": last,
    }


def _day(name: str) -> date | None:
    text = request.args.get(name) or None
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise BadInput(gettext("Give days as YYYY-MM-DD.")) from error


def _filters() -> dict[str, str | None]:
    return {
        "service": request.args.get("service") or None,
        "room": request.args.get("room") or None,
    }


def _csv_query(data: dict[str, Any]) -> dict[str, str]:
    query = {"from": data["from"], "to": data["to"]}
    return query | {k: data[k] for k in ("service", "room") if data[k]}


def _labels() -> dict[str, str]:
    """The words of the figures and columns, in the page's language."""
    return {
        "checked_in": gettext("Checked in"),
        "seen": gettext("Seen"),
        "no_shows": gettext("No-shows"),
        "left_unseen": gettext("Left before being seen"),
        "by_hand": gettext("Added by hand"),
        "median_wait": gettext("Median wait (min)"),
        "p90_wait": gettext("90th percentile wait (min)"),
        "over_target_share": gettext("Waited over the target"),
        "mae": gettext("Estimate error (MAE, min)"),
        "within_10": gettext("Estimates within 10 min"),
        "delay_notices": gettext("Delay notices"),
        "source": gettext("Source"),
        "count": gettext("Count"),
        "service": gettext("Service"),
        "room": gettext("Room"),
        "patients": gettext("Patients"),
        "median": gettext("Median (min)"),
        "p90": gettext("90th percentile (min)"),
        "target": gettext("Target (min)"),
        "hour": gettext("Hour"),
        "mean_wait": gettext("Mean wait (min)"),
        "weekday": gettext("Weekday"),
        "mean_minutes": gettext("Mean (min)"),
        "busy_minutes": gettext("Busy (min)"),
        "open_minutes": gettext("Open (min)"),
        "utilisation": gettext("Utilisation"),
        "day": gettext("Day"),
        "coverage": gettext("Within the range"),
        "past_latest": gettext("Called after the latest time"),
        "reason": gettext("Reason"),
        "positive_share": gettext("Rated good or very good"),
        "negative_share": gettext("Rated poor or very poor"),
        "responses": gettext("Responses"),
        "complaints": gettext("Complaints"),
        "cases": gettext("Cases opened"),
        "open_cases": gettext("Open cases"),
        "overdue_cases": gettext("Overdue cases"),
        "replied": gettext("Cases replied"),
        "replied_in_time_share": gettext("Replied in time"),
        "rating": gettext("Rating"),
        "band": gettext("Wait"),
    }


def _words() -> dict[str, str]:
    """The words of the values of the patients' voice tables: ratings and wait bands."""
    return {
        "very_good": gettext("Very good"),
        "good": gettext("Good"),
        "neither": gettext("Neither good nor poor"),
        "poor": gettext("Poor"),
        "very_poor": gettext("Very poor"),
        "dont_know": gettext("Don't know"),
        "under_15": gettext("Under 15 min"),
        "15_30": gettext("15 to 30 min"),
        "30_60": gettext("30 to 60 min"),
        "over_60": gettext("Over 60 min"),
    }


def _titles() -> dict[str, str]:
    return {
        "visits_by_source": gettext("Visits by source"),
        "waits_by_service": gettext("Waits by service"),
        "waits_by_hour": gettext("Waits by hour of day"),
        "arrivals": gettext("Arrivals by weekday and hour"),
        "time_in_room": gettext("Time in room"),
        "utilisation": gettext("Room utilisation"),
        "call_to_start": gettext("From call to start"),
        "pauses": gettext("Room pauses"),
        "accuracy_by_day": gettext("Estimate accuracy by day"),
        "delay_notices": gettext("Delay notices by reason"),
        "voice_by_rating": gettext("Answers by rating"),
        "voice_by_wait_band": gettext("Good and poor answers by wait"),
    }


# The tables drawn as a chart: (table, label column, value columns, chart type).
CHARTS = (
    ("visits_by_source", "source", ("count",), "bar"),
    ("waits_by_service", "service", ("median", "p90"), "bar"),
    ("waits_by_hour", "hour", ("mean_wait",), "bar"),
    ("utilisation", "room", ("utilisation",), "bar"),
    ("call_to_start", "service", ("mean_minutes",), "bar"),
    ("accuracy_by_day", "day", ("mae",), "line"),
    ("delay_notices", "reason", ("count",), "bar"),
    ("voice_by_rating", "rating", ("count",), "bar"),
    ("voice_by_wait_band", "band", ("positive_share", "negative_share"), "bar"),
)


def _charts(data: dict[str, Any], labels: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What the page's script draws, by table: the same numbers as the table."""
    charts = {}
    words = _words()
    for name, key, values, kind in CHARTS:
        (section, part), _ = TABLES[name]
        rows = data[section][part]
        charts[name] = {
            "type": kind,
            "labels": [words.get(str(row[key]), str(row[key])) for row in rows],
            "datasets": [
                {"label": labels[value], "data": [row[value] for row in rows]} for value in values
            ],
        }
    return charts
