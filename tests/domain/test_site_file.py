"""The TOML site file: the demo parses; each fault is refused and says where it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.sites.schema import SiteFileError, parse_site_file, parse_site_text

DEMO_SITE = Path(__file__).parents[2] / "server" / "sites" / "demo" / "site.toml"

# A small valid site. Each test below breaks one thing in it; the line numbers in the
# comments are the ones the error messages are expected to point at.
GOOD = """\
[site]
slug = "test"
name = "Test clinic"
timezone = "Europe/London"
languages = ["en", "es"]

[site.hours]
mon = ["08:00-12:00"]

[[services]]
code = "general"
prefix = "G"
typical_minutes = 15
name = { en = "General", es = "Medicina general" }

[[services]]
code = "blood"
prefix = "B"
typical_minutes = 6
name = { en = "Blood tests", es = "Sangre" }

[[rooms]]
code = "room-1"
name = { en = "Room 1", es = "Consulta 1" }
services = ["G"]

[[rooms]]
code = "lab-1"
name = { en = "Lab 1", es = "Laboratorio 1" }
services = ["B", "general"]
"""


def broken(old, new):
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def refusal(text):
    with pytest.raises(SiteFileError) as caught:
        parse_site_text(text, source="test.toml")
    message = str(caught.value)
    assert message.startswith("test.toml: ")
    return message


def test_the_small_site_used_below_is_valid():
    site = parse_site_text(GOOD)
    assert [s.prefix for s in site.services] == ["G", "B"]
    assert [r.code for r in site.rooms] == ["room-1", "lab-1"]


def test_the_demo_site_file_parses_with_four_services_and_six_rooms():
    site = parse_site_file(DEMO_SITE)
    assert site.site.slug == "riverside"
    assert site.site.timezone == "Europe/London"
    assert [s.prefix for s in site.services] == ["G", "B", "V", "N"]
    assert [r.code for r in site.rooms] == [
        "room-1",
        "room-2",
        "room-3",
        "lab-1",
        "lab-2",
        "treatment",
    ]
    assert all(set(s.name) == set(site.site.languages) for s in site.services)


def test_broken_toml_is_refused_with_its_line_number():
    message = refusal(broken('name = "Test clinic"', 'name = "Test clinic'))
    assert "not valid TOML" in message
    assert "line 3" in message


def test_the_display_cycle_is_thirty_seconds_unless_the_site_says():
    assert parse_site_text(GOOD).site.display_cycle_seconds == 30
    chosen = broken('slug = "test"', 'slug = "test"\ndisplay_cycle_seconds = 45')
    assert parse_site_text(chosen).site.display_cycle_seconds == 45


@pytest.mark.parametrize("seconds", [0, 9, 301])
def test_a_display_cycle_too_short_to_read_or_too_long_to_wait_is_refused(seconds):
    message = refusal(broken('slug = "test"', f'slug = "test"\ndisplay_cycle_seconds = {seconds}'))
    assert "site.display_cycle_seconds (line 3)" in message


def test_the_morning_links_hour_is_seven_unless_the_site_says_another_morning_hour():
    assert parse_site_text(GOOD).site.appointment_text_hour == 7
    chosen = broken('slug = "test"', 'slug = "test"\nappointment_text_hour = 9')
    assert parse_site_text(chosen).site.appointment_text_hour == 9


@pytest.mark.parametrize("hour", [0, 6, 13, 22])
def test_a_morning_link_hour_at_night_or_past_noon_is_refused(hour):
    message = refusal(broken('slug = "test"', f'slug = "test"\nappointment_text_hour = {hour}'))
    assert "site.appointment_text_hour (line 3)" in message


def test_a_display_shows_the_sites_first_two_languages_unless_the_site_says():
    assert parse_site_text(GOOD).site.display_languages is None  # SiteSettings: en, es
    chosen = broken('slug = "test"', 'slug = "test"\ndisplay_languages = ["es"]')
    assert parse_site_text(chosen).site.display_languages == ["es"]
    assert parse_site_file(DEMO_SITE).site.display_languages == ["en", "es"]


@pytest.mark.parametrize(
    ("languages", "said"),
    [
        ('["en", "fr"]', "fr is not one of the site's languages"),
        ('["en", "en"]', "listed twice"),
        ("[]", "at least 1 item"),
    ],
)
def test_display_languages_outside_the_sites_are_refused_by_key_and_line(languages, said):
    message = refusal(broken('slug = "test"', f'slug = "test"\ndisplay_languages = {languages}'))
    assert "site.display_languages (line 3)" in message
    assert said in message


def test_more_than_three_display_languages_are_refused():
    four = broken('languages = ["en", "es"]', 'languages = ["en", "es", "fr", "pt"]')
    names = {"en": "x", "es": "x", "fr": "x", "pt": "x"}
    four = re.sub(r"name = \{[^}]*\}", "name = " + _inline(names), four)
    assert parse_site_text(four).site.languages == ["en", "es", "fr", "pt"]
    message = refusal(
        broken_in(
            four, 'slug = "test"', 'slug = "test"\ndisplay_languages = ["en", "es", "fr", "pt"]'
        )
    )
    assert "site.display_languages (line 3)" in message
    assert "at most 3 items" in message


def _inline(names):
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in names.items()) + " }"


def broken_in(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_unknown_key_is_refused_naming_the_key_and_line():
    message = refusal(broken("typical_minutes = 6\n", 'typical_minutes = 6\ncolor = "red"\n'))
    assert "services[1].color (line 20)" in message
    assert "Extra inputs are not permitted" in message


def test_unknown_key_in_the_site_table_is_refused():
    message = refusal(broken('slug = "test"', 'slug = "test"\nslgu = "typo"'))
    assert "site.slgu (line 3)" in message


def test_lower_case_prefix_is_refused_naming_the_key_and_line():
    message = refusal(broken('prefix = "B"', 'prefix = "b"'))
    assert "services[1].prefix (line 18)" in message


def test_two_letter_prefix_is_refused():
    message = refusal(broken('prefix = "G"', 'prefix = "GP"'))
    assert "services[0].prefix (line 12)" in message


def test_duplicate_prefix_is_refused_naming_both_keys():
    message = refusal(broken('prefix = "B"', 'prefix = "G"'))
    assert "services[1].prefix (line 18): service prefix 'G' is used twice" in message
    assert "also services[0].prefix" in message


def test_duplicate_room_code_is_refused():
    message = refusal(broken('code = "lab-1"', 'code = "room-1"'))
    assert "rooms[1].code (line 28): room code 'room-1' is used twice" in message


def test_room_naming_an_unknown_service_is_refused():
    message = refusal(broken('services = ["B", "general"]', 'services = ["B", "X"]'))
    assert "rooms[1].services (line 30): unknown service 'X'" in message


def test_room_may_name_a_service_by_code_or_prefix():
    site = parse_site_text(GOOD)
    assert site.rooms[1].services == ["B", "general"]


def test_room_without_a_translation_for_a_site_language_is_refused():
    message = refusal(broken('{ en = "Lab 1", es = "Laboratorio 1" }', '{ en = "Lab 1" }'))
    assert "rooms[1].name (line 29): no translation for es" in message


def test_service_without_a_translation_for_a_site_language_is_refused():
    message = refusal(broken('{ en = "General", es = "Medicina general" }', '{ es = "General" }'))
    assert "services[0].name (line 14): no translation for en" in message


def test_unknown_time_zone_is_refused_naming_the_key_and_line():
    message = refusal(broken('"Europe/London"', '"Mars/Olympus"'))
    assert "site.timezone (line 4)" in message
    assert "unknown time zone 'Mars/Olympus'" in message


@pytest.mark.parametrize(
    ("interval", "reason"),
    [("12:00-08:00", "ends before it starts"), ("0800", "expected HH:MM-HH:MM")],
)
def test_bad_hours_interval_is_refused(interval, reason):
    message = refusal(broken('"08:00-12:00"', f'"{interval}"'))
    assert "site.hours" in message
    assert reason in message
    assert interval in message


def test_unknown_weekday_is_refused():
    message = refusal(broken("mon = ", "monday = "))
    assert "site.hours" in message
    assert "unknown day 'monday'" in message


def test_several_faults_are_reported_together():
    text = broken('prefix = "B"', 'prefix = "b"').replace('"Europe/London"', '"Nowhere"')
    message = refusal(text)
    assert "site.timezone" in message
    assert "services[1].prefix" in message


def test_site_file_error_is_a_value_error():
    assert issubclass(SiteFileError, ValueError)


def test_missing_site_file_gives_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere" / "site.toml"
    with pytest.raises(SiteFileError) as caught:
        parse_site_file(missing)
    message = str(caught.value)
    assert message.startswith(str(missing))
    assert re.search(r"cannot read it \(.*no such file", message, re.IGNORECASE)


def test_parse_site_file_names_the_file_in_its_errors(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(broken('prefix = "B"', 'prefix = "b"'), encoding="utf-8")
    with pytest.raises(SiteFileError, match=re.escape(f"{path}: services[1].prefix")):
        parse_site_file(path)


# --- The site's day and its rooms' own hours -----------------------------------------


@pytest.mark.parametrize("value", ["06:00", "never", "00:00"])
def test_a_day_start_is_a_time_or_never(value):
    site = parse_site_text(
        broken('languages = ["en", "es"]\n', f'languages = ["en", "es"]\nday_starts = "{value}"\n')
    )
    assert site.site.day_starts == value


@pytest.mark.parametrize("value", ["6am", "06:00:30", "25:00", "sometimes"])
def test_a_bad_day_start_is_refused_naming_the_key_and_line(value):
    text = broken(
        'languages = ["en", "es"]\n', f'languages = ["en", "es"]\nday_starts = "{value}"\n'
    )
    message = refusal(text)
    assert "site.day_starts (line 6)" in message
    assert "expected HH:MM or 'never'" in message


def test_a_room_may_give_its_own_sessions():
    text = broken(
        'services = ["G"]\n',
        'services = ["G"]\nhours = { mon = ["09:00-12:30", "13:30-17:00"], tue = [] }\n',
    )
    rooms = parse_site_text(text).rooms
    assert rooms[0].hours == {"mon": ["09:00-12:30", "13:30-17:00"], "tue": []}
    assert rooms[1].hours is None  # the site's hours


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        ('{ mon = ["13:00-09:00"] }', "ends before it starts"),
        ('{ monday = ["09:00-12:00"] }', "unknown day 'monday'"),
        ('{ mon = ["09:00-12:30", "12:00-17:00"] }', "the intervals of 'mon' overlap"),
        ('{ mon = ["9-12"] }', "Invalid isoformat string"),
    ],
)
def test_bad_room_hours_are_refused_naming_the_room_key_and_line(hours, reason):
    message = refusal(broken('services = ["G"]\n', f'services = ["G"]\nhours = {hours}\n'))
    assert "rooms[0].hours (line 26)" in message
    assert reason in message


def test_overlapping_site_hours_are_refused():
    message = refusal(broken('mon = ["08:00-12:00"]', 'mon = ["08:00-12:00", "11:00-18:00"]'))
    assert "site.hours (line 7)" in message  # the table that holds it
    assert "overlap" in message


def test_a_service_colour_is_a_hex_colour():
    ok = parse_site_text(
        broken("typical_minutes = 6\n", 'typical_minutes = 6\ncolour = "#1f6feb"\n')
    )
    assert ok.services[1].colour == "#1f6feb"
    message = refusal(broken("typical_minutes = 6\n", 'typical_minutes = 6\ncolour = "red"\n'))
    assert "services[1].colour (line 20)" in message


# --- [[closures]] --------------------------------------------------------------------

CLOSURES = """
[[closures]]
date = "2026-12-25"
reason = { en = "Christmas Day", es = "Navidad" }

[[closures]]
date = 2026-12-24
from = "13:00"
to = "24:00"
"""


def test_closures_are_read_as_whole_days_or_parts_of_days():
    spec = parse_site_text(GOOD + CLOSURES)
    christmas, eve = spec.closures
    assert (str(christmas.date), christmas.start, christmas.end) == ("2026-12-25", None, None)
    assert (str(eve.date), eve.start, eve.end) == ("2026-12-24", "13:00", "24:00")
    assert parse_site_text(GOOD).closures == []


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('date = "2026-12-25"', 'date = "2026-12-32"', "closures[0].date (line 33)"),
        ('to = "24:00"', 'to = "12:00"', "closures[1] (line 36): the interval '13:00-12:00'"),
        ('to = "24:00"\n', "", "closures[1] (line 36): give both from and to"),
        ("from =", "since =", "closures[1].since (line 38): Extra inputs"),
        (', es = "Navidad"', "", "closures[0].reason (line 34): no translation for es"),
    ],
)
def test_a_bad_closure_is_refused_by_key_and_line(old, new, says):
    text = GOOD + CLOSURES
    assert text.count(old) == 1, old
    assert says in refusal(text.replace(old, new))
