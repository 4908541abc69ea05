"""The [map] of a site file: a valid map is stored as JSON, and every fault is refused
naming its key and line."""

from __future__ import annotations

import pytest

from server.domain.wayfinding import SiteMap
from server.sites.schema import SiteFileError, parse_site_text

# A small site: two rooms and a kiosk, on two floors joined by stairs and an elevator.
GOOD = """\
[site]
slug = "test"
name = "Test clinic"
timezone = "Europe/London"
languages = ["en", "es"]

[[services]]
code = "general"
prefix = "G"
typical_minutes = 15
name = { en = "General", es = "Medicina general" }

[[rooms]]
code = "room-1"
name = { en = "Room 1", es = "Consulta 1" }
services = ["G"]

[[rooms]]
code = "room-2"
name = { en = "Room 2", es = "Consulta 2" }
services = ["G"]

[[kiosks]]
code = "entrance"
name = "Entrance kiosk"

[[map.floors]]
code = "ground"
level = 0
name = { en = "Ground floor", es = "Planta baja" }
width = 40
height = 20

[[map.floors]]
code = "first"
level = 1
name = { en = "First floor", es = "Primera planta" }
width = 40
height = 20

[[map.nodes]]
id = "lobby"
floor = "ground"
x = 2
y = 10
landmark = { en = "the kiosks", es = "los quioscos" }

[[map.nodes]]
id = "hall"
floor = "ground"
x = 20
y = 10
landmark = { en = "the stairs", es = "la escalera" }

[[map.nodes]]
id = "room-1-door"
floor = "ground"
x = 20
y = 5

[[map.nodes]]
id = "landing"
floor = "first"
x = 20
y = 10
landmark = { en = "the landing", es = "el rellano" }

[[map.nodes]]
id = "room-2-door"
floor = "first"
x = 20
y = 15

[[map.edges]]
from = "lobby"
to = "hall"

[[map.edges]]
from = "hall"
to = "room-1-door"
kind = "door"

[[map.edges]]
from = "hall"
to = "landing"
kind = "stairs"
length = 9

[[map.edges]]
from = "hall"
to = "landing"
kind = "elevator"
seconds = 40

[[map.edges]]
from = "landing"
to = "room-2-door"
kind = "door"

[[map.destinations]]
code = "room-1"
kind = "room"
node = "room-1-door"

[[map.destinations]]
code = "room-2"
kind = "room"
node = "room-2-door"
landmarks = [{ en = "the landing", es = "el rellano" }]

[[map.destinations]]
code = "waiting"
kind = "waiting"
node = "hall"
name = { en = "Waiting area", es = "Sala de espera" }
services = ["general"]

[[map.kiosks]]
code = "entrance"
node = "lobby"
facing = "south"
"""


GROUND_SIZE = 'name = { en = "Ground floor", es = "Planta baja" }\nwidth = 40\nheight = 20\n'


def broken(old, new, text=GOOD):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text, fragment, occurrence=1):
    """The number of the line where `fragment` appears for the `occurrence`th time."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(fragment)


def refusal(text):
    with pytest.raises(SiteFileError) as caught:
        parse_site_text(text, source="test.toml")
    message = str(caught.value)
    assert message.startswith("test.toml: ")
    return message


def test_the_small_map_is_valid_and_stored_as_json():
    data = parse_site_text(GOOD).map_data()

    assert [n["id"] for n in data["nodes"]] == [
        "lobby",
        "hall",
        "room-1-door",
        "landing",
        "room-2-door",
    ]
    assert data["kiosks"] == [{"code": "entrance", "node": "lobby", "facing": 180.0}]
    room_1 = data["destinations"][0]
    # A room's destination is named as in [[rooms]], and knows which room it is.
    assert room_1["name"] == {"en": "Room 1", "es": "Consulta 1"}
    assert room_1["room"] == "room-1"
    # A waiting area's services are stored by prefix.
    assert data["destinations"][2]["services"] == ["G"]
    assert SiteMap.from_data(data).route("lobby", "room-2-door").nodes[-1] == "room-2-door"


def test_a_site_file_without_a_map_has_none():
    without = GOOD[: GOOD.index("[[map.floors]]")]

    assert parse_site_text(without).map_data() is None


# --- The faults the issue names ----------------------------------------------------


def test_an_edge_to_a_node_that_does_not_exist_is_refused():
    text = broken('from = "landing"\nto = "room-2-door"', 'from = "landing"\nto = "room-3-door"')

    message = refusal(text)

    line = line_of(text, 'to = "room-3-door"')
    assert f"map.edges[4].to (line {line}): no node 'room-3-door'" in message


def test_an_edge_from_a_node_that_does_not_exist_is_refused():
    text = broken('from = "lobby"\nto = "hall"', 'from = "lobbby"\nto = "hall"')

    message = refusal(text)

    assert f"map.edges[0].from (line {line_of(text, 'lobbby')}): no node 'lobbby'" in message


def test_a_walk_between_floors_is_refused():
    text = broken('kind = "stairs"\nlength = 9', 'kind = "walk"\nlength = 9')

    message = refusal(text)

    line = line_of(text, "[[map.edges]]", 3)
    assert f"map.edges[2] (line {line}): a walk edge joins floors 'ground' and 'first'" in message
    assert "only stairs, elevator, escalator or ramp may change floor" in message


def test_a_door_between_floors_is_refused_but_a_ramp_may_join_them():
    door = refusal(broken('kind = "stairs"\nlength = 9', 'kind = "door"\nlength = 9'))
    ramp = parse_site_text(broken('kind = "stairs"\nlength = 9', 'kind = "ramp"\nlength = 20'))

    assert "map.edges[2]" in door and "a door edge joins floors" in door
    assert ramp.map_data()["edges"][2]["kind"] == "ramp"


def test_a_destination_that_cannot_be_reached_from_the_kiosk_is_refused():
    # Without the stairs and the elevator, the first floor is an island.
    text = broken(
        '[[map.edges]]\nfrom = "hall"\nto = "landing"\nkind = "stairs"\nlength = 9\n\n'
        '[[map.edges]]\nfrom = "hall"\nto = "landing"\nkind = "elevator"\nseconds = 40\n\n',
        "",
    )

    message = refusal(text)

    line = line_of(text, "[[map.destinations]]", 2)
    assert (
        f"map.destinations[1] (line {line}): it cannot be reached from kiosk 'entrance'" in message
    )


def test_a_destination_with_no_step_free_way_is_refused_with_the_way_to_say_so():
    no_elevator = broken(
        '[[map.edges]]\nfrom = "hall"\nto = "landing"\nkind = "elevator"\nseconds = 40\n\n', ""
    )

    message = refusal(no_elevator)

    assert "map.destinations[1]" in message
    assert "no step-free way from kiosk 'entrance'" in message
    assert "set step_free = false" in message
    # Saying so is accepted: the route page then says there is no step-free way.
    said = broken(
        'node = "room-2-door"\n', 'node = "room-2-door"\nstep_free = false\n', no_elevator
    )
    assert parse_site_text(said).map_data()["destinations"][1]["step_free"] is False


def test_a_kiosk_that_cannot_be_reached_from_another_kiosk_is_refused():
    text = GOOD.replace(
        '[[kiosks]]\ncode = "entrance"',
        '[[kiosks]]\ncode = "upstairs"\nname = "Upstairs kiosk"\n\n[[kiosks]]\ncode = "entrance"',
    )
    text += '\n[[map.nodes]]\nid = "attic"\nfloor = "first"\nx = 1\ny = 1\n'
    text += '\n[[map.kiosks]]\ncode = "upstairs"\nnode = "attic"\nfacing = 90\n'

    message = refusal(text)

    line = line_of(text, "[[map.kiosks]]", 2)
    assert f"map.kiosks[1] (line {line}): it cannot be reached from kiosk 'entrance'" in message


def test_a_room_of_the_site_with_no_destination_is_refused():
    text = broken('code = "room-2"\nkind = "room"', 'code = "room-3"\nkind = "room"')
    text = text.replace(
        "[[kiosks]]",
        '[[rooms]]\ncode = "room-3"\nname = { en = "3", es = "3" }\nservices = ["G"]\n\n[[kiosks]]',
    )

    message = refusal(text)

    assert "map.destinations: room 'room-2' (rooms[1]) has no destination" in message


def test_a_room_taken_out_of_the_site_is_left_out_of_the_map():
    text = broken(
        '[[rooms]]\ncode = "room-2"\nname = { en = "Room 2", es = "Consulta 2" }\n'
        'services = ["G"]\n\n',
        "",
    )

    codes = [d["code"] for d in parse_site_text(text).map_data()["destinations"]]

    assert codes == ["room-1", "waiting"]


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        (
            '{ en = "Waiting area", es = "Sala de espera" }',
            '{ en = "Waiting area" }',
            "map.destinations[2].name",
            "Waiting area",
        ),
        (
            '{ en = "First floor", es = "Primera planta" }',
            '{ es = "Primera planta" }',
            "map.floors[1].name",
            "Primera planta",
        ),
        (
            '{ en = "the stairs", es = "la escalera" }',
            '{ en = "the stairs" }',
            "map.nodes[1].landmark",
            "the stairs",
        ),
        (
            'landmarks = [{ en = "the landing", es = "el rellano" }]',
            'landmarks = [{ en = "the landing" }]',
            "map.destinations[1].landmarks",
            "landmarks = ",
        ),
    ],
)
def test_a_missing_translation_is_refused(old, new, key, fragment):
    text = broken(old, new)

    message = refusal(text)

    missing = "en" if new.startswith("{ es") else "es"
    assert f"{key} (line {line_of(text, fragment)}): no translation for {missing}" in message


# --- Other faults ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "where", "expected"),
    [
        (
            'id = "hall"',
            'id = "lobby"',
            ('id = "lobby"', 2),
            "map.nodes[1].id: 'lobby' is used twice",
        ),
        (
            'floor = "ground"\nx = 20\ny = 5',
            'floor = "basement"\nx = 20\ny = 5',
            'floor = "basement"',
            "map.nodes[2].floor: no floor 'basement'",
        ),
        ("x = 20\ny = 15", "x = 45\ny = 15", "x = 45", "map.nodes[4].x: 45 is off floor 'first'"),
        (
            'kind = "stairs"\nlength = 9',
            'kind = "stairs"\nlength = 9\nstep_free = true',
            "step_free = true",
            "map.edges[2].step_free: stairs are never step-free",
        ),
        (
            'kind = "elevator"\nseconds = 40',
            'kind = "elevator"\nlength = 3',
            "length = 3",
            "map.edges[3].length: an elevator takes a time (seconds)",
        ),
        (
            'from = "lobby"\nto = "hall"\n',
            'from = "lobby"\nto = "hall"\nseconds = 10\n',
            "seconds = 10",
            "map.edges[0].seconds: only an elevator takes a fixed time",
        ),
        (
            'kind = "stairs"\nlength = 9',
            'kind = "stairs"',
            ("[[map.edges]]", 3),
            "map.edges[2]: stairs between floors need a length",
        ),
        (
            'name = { en = "Waiting area", es = "Sala de espera" }\n',
            "",
            ("[[map.destinations]]", 3),
            "map.destinations[2]: it needs a name",
        ),
        (
            'services = ["general"]',
            'services = ["X"]',
            'services = ["X"]',
            "map.destinations[2].services: unknown service 'X'",
        ),
        (
            'kind = "waiting"',
            'kind = "cafeteria"',
            'kind = "cafeteria"',
            "map.destinations[2].kind: Input should be 'room', 'waiting'",
        ),
        (
            'node = "lobby"\nfacing',
            'node = "cellar"\nfacing',
            'node = "cellar"',
            "map.kiosks[0].node: no node 'cellar'",
        ),
        (
            'facing = "south"',
            'facing = "sideways"',
            "facing",
            "map.kiosks[0].facing: 'sideways' is not a direction",
        ),
        (
            'facing = "south"',
            "facing = 400",
            "facing",
            "map.kiosks[0].facing: 400 is not a direction",
        ),
        (
            'code = "entrance"\nnode',
            'code = "side-door"\nnode',
            'code = "side-door"',
            "map.kiosks[0].code: no kiosk 'side-door' in [[kiosks]]",
        ),
    ],
)
def test_each_fault_is_refused_naming_its_key_and_line(old, new, where, expected):
    text = broken(old, new)
    fragment, occurrence = where if isinstance(where, tuple) else (where, 1)

    message = refusal(text)

    key, problem = expected.split(": ", 1)
    assert f"{key} (line {line_of(text, fragment, occurrence)}): {problem}" in message, message


def test_the_site_kiosk_missing_from_the_map_is_refused():
    text = GOOD.replace(
        '[[kiosks]]\ncode = "entrance"',
        '[[kiosks]]\ncode = "lift-kiosk"\nname = "By the lift"\n\n[[kiosks]]\ncode = "entrance"',
    )

    message = refusal(text)

    assert "map.kiosks: kiosk 'lift-kiosk' (kiosks[0]) is not on the map" in message


def test_several_map_faults_are_reported_together():
    text = broken('to = "hall"\n', 'to = "hal"\n').replace(
        '{ en = "the kiosks", es = "los quioscos" }', '{ en = "the kiosks" }'
    )

    message = refusal(text)

    assert "map.edges[0].to" in message
    assert "map.nodes[0].landmark" in message


# --- Floor-plan pictures -----------------------------------------------------------


def test_a_floor_plan_picture_is_found_beside_the_site_file(tmp_path):
    (tmp_path / "ground.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    text = broken(GROUND_SIZE, GROUND_SIZE + 'image = "ground.png"\n')

    data = parse_site_text(text, folder=tmp_path).map_data()

    assert data["floors"][0]["image"] == str((tmp_path / "ground.png").resolve())


def test_a_missing_floor_plan_picture_is_refused(tmp_path):
    text = broken(GROUND_SIZE, GROUND_SIZE + 'image = "gone.png"\n')

    with pytest.raises(SiteFileError) as caught:
        parse_site_text(text, source="test.toml", folder=tmp_path)

    line = line_of(text, 'image = "gone.png"')
    assert f"map.floors[0].image (line {line}): no file" in str(caught.value)


def test_a_floor_plan_that_is_not_a_picture_is_refused(tmp_path):
    (tmp_path / "plan.pdf").write_bytes(b"%PDF")
    text = broken(GROUND_SIZE, GROUND_SIZE + 'image = "plan.pdf"\n')

    with pytest.raises(SiteFileError, match=r"map\.floors\[0\]\.image .*use a .jpeg, .jpg"):
        parse_site_text(text, source="test.toml", folder=tmp_path)
