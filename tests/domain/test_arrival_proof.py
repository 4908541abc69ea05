"""Proof of presence for "I'm here" without the day's code: the distance rule for the
phone's location, the arrival poster's key, the site file's coordinates, and when the
day's code changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from server.domain import remote
from server.domain.errors import BadInput
from server.domain.remote import Place
from server.domain.schedule import SiteDays
from server.sites.schema import SiteFileError, parse_site_text
from tests.domain.test_site_file import GOOD

DOOR = Place(51.5055, -0.0754)
METRES_PER_DEGREE_OF_LATITUDE = 111_195  # on the mean sphere: 2 * pi * R / 360


def north_of(place: Place, metres: float) -> Place:
    return Place(place.latitude + metres / METRES_PER_DEGREE_OF_LATITUDE, place.longitude)


def test_the_distance_is_the_great_circle_in_metres():
    assert remote.distance_m(DOOR, DOOR) == 0
    assert remote.distance_m(DOOR, north_of(DOOR, 100)) == pytest.approx(100, abs=0.5)
    # London to Paris, a known figure (343.5 km between the two centres).
    paris = Place(48.8566, 2.3522)
    assert remote.distance_m(Place(51.5074, -0.1278), paris) == pytest.approx(343_500, rel=0.005)
    # East-west shrinks with the latitude: a degree of longitude at 51.5 N is ~69.2 km.
    east = Place(DOOR.latitude, DOOR.longitude + 1)
    assert remote.distance_m(DOOR, east) == pytest.approx(69_200, rel=0.005)
    # Across the antimeridian the short way round, not 359 degrees.
    assert remote.distance_m(Place(0, 179.999), Place(0, -179.999)) == pytest.approx(222, abs=1)


def test_a_fix_within_the_radius_is_at_the_site_and_one_outside_is_not():
    assert remote.is_at_site(north_of(DOOR, 149), 20, DOOR, 150)
    assert remote.is_at_site(north_of(DOOR, 150), 20, DOOR, 150.01)
    assert not remote.is_at_site(north_of(DOOR, 151), 20, DOOR, 150)
    assert not remote.is_at_site(north_of(DOOR, 5_000), 20, DOOR, 150)


def test_a_fix_too_vague_to_prove_anything_is_not_taken_even_at_the_door():
    assert remote.is_at_site(DOOR, remote.MAX_LOCATION_ACCURACY_M, DOOR, 150)
    assert not remote.is_at_site(DOOR, remote.MAX_LOCATION_ACCURACY_M + 1, DOOR, 150)
    assert not remote.is_at_site(DOOR, -1, DOOR, 150)


def test_the_accuracy_is_not_added_to_the_radius():
    """A fix 400 m away with 500 m accuracy might be at the door, but proves nothing."""
    assert not remote.is_at_site(north_of(DOOR, 400), 500, DOOR, 150)


def test_a_place_off_the_earth_is_refused():
    assert remote.check_place(90, 180) == Place(90, 180)
    for latitude, longitude in [(90.1, 0), (-91, 0), (0, 180.5), (0, -181)]:
        with pytest.raises(BadInput) as refused:
            remote.check_place(latitude, longitude)
        assert refused.value.code == "invalid_location"


def test_a_poster_key_is_long_random_and_matched_exactly():
    key, other = remote.new_poster_key(), remote.new_poster_key()
    assert key != other and len(key) >= 22
    assert remote.poster_key_matches(key, key)
    assert remote.poster_key_matches(f" {key}\n", key)  # as pasted
    assert not remote.poster_key_matches(other, key)
    assert not remote.poster_key_matches(key[:-1], key)
    assert not remote.poster_key_matches("", key)
    assert not remote.poster_key_matches(key, None)  # a site with no poster yet
    assert not remote.poster_key_matches("١٢٣", key)  # not ASCII: refused, not an error


def test_the_site_file_takes_both_coordinates_and_a_radius_or_neither():
    site = parse_site_text(GOOD).site
    assert site.latitude is None and site.longitude is None
    assert site.arrival_radius_m == remote.DEFAULT_ARRIVAL_RADIUS_M
    placed = GOOD.replace(
        'languages = ["en", "es"]\n',
        'languages = ["en", "es"]\nlatitude = 51.5055\nlongitude = -0.0754\n'
        "arrival_radius_m = 80\n",
    )
    site = parse_site_text(placed).site
    assert (site.latitude, site.longitude, site.arrival_radius_m) == (51.5055, -0.0754, 80)


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        ("latitude = 51.5\n", "give both latitude and longitude"),
        ("longitude = -0.07\n", "give both latitude and longitude"),
        ("latitude = 91\nlongitude = 0\n", "site.latitude"),
        ("latitude = 0\nlongitude = 181\n", "site.longitude"),
        ("arrival_radius_m = 5\n", "site.arrival_radius_m"),
        ("arrival_radius_m = 50000\n", "site.arrival_radius_m"),
    ],
)
def test_a_site_file_with_a_wrong_place_is_refused_by_key(lines, said):
    text = GOOD.replace('languages = ["en", "es"]\n', f'languages = ["en", "es"]\n{lines}')
    with pytest.raises(SiteFileError) as refused:
        parse_site_text(text, source="test.toml")
    assert said in str(refused.value)


def test_the_code_changes_at_the_sites_turn_of_the_day_not_at_midnight_utc():
    london = SiteDays.of(ZoneInfo("Europe/London"), None)
    summer = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 23:30 BST
    assert london.next_turn(summer) == datetime(2026, 7, 1, 23, 0, tzinfo=UTC)
    six = SiteDays.of(ZoneInfo("Europe/London"), "06:00")
    night = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # the day of the 9th until 06:00
    assert six.next_turn(night) == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert six.next_turn(datetime(2026, 3, 10, 6, 0, tzinfo=UTC)) == datetime(
        2026, 3, 11, 6, 0, tzinfo=UTC
    )
    # With this secret the two days' codes differ (a 4-digit code repeats 1 day in 10,000).
    secret = b"s"
    last = datetime(2026, 3, 10, 5, 59, tzinfo=UTC)
    first = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert six.day_of(last) == date(2026, 3, 9) and six.day_of(first) == date(2026, 3, 10)
    assert remote.arrival_code(secret, "x", six.day_of(last)) != remote.arrival_code(
        secret, "x", six.day_of(first)
    )
