"""Route steps in words, in English and Spanish (catalogue: translations/, compiled by
`make`)."""

from __future__ import annotations

import copy

import pytest

from server.domain.wayfinding import EdgeKind, Mode, SiteMap
from server.wayfinding.texts import Words
from tests.domain.test_wayfinding import CORRIDOR, TWO_FLOORS


def both(en, es):
    return {"en": en, "es": es}


def bilingual(data):
    """The test maps with Spanish names for what the steps say."""
    spanish = {
        "the kiosks": "los quioscos",
        "the stairs": "la escalera",
        "the elevators": "los ascensores",
        "the café": "la cafetería",
        "Room 1": "Consulta 1",
        "X-ray": "Radiología",
        "Ground floor": "Planta baja",
        "Level 1": "Planta 1",
    }
    for item in [*data["nodes"], *data["destinations"], *data["floors"]]:
        for key in ("landmark", "name"):
            if item.get(key):
                item[key] = both(item[key]["en"], spanish.get(item[key]["en"], item[key]["en"]))
    return data


def told(to, language, mode=Mode.SHORTEST, data=None, start="entrance"):
    """The steps from `start` to `to`, in words."""
    the_map = SiteMap.from_data(bilingual(copy.deepcopy(data or TWO_FLOORS)))
    words = Words(language, ["en", "es"])
    node, heading = the_map.place(start)
    route = the_map.route(node, the_map.destination(to).node, mode, heading)
    floors = {code: floor.names for code, floor in the_map.floors.items()}
    start_name = words.name(the_map.destinations[start].names) if start != "entrance" else ""
    return [words.step(step, floors, start_name) for step in route.steps]


def test_the_stairs_route_in_english():
    assert told("x-ray", "en") == [
        "Turn right and walk towards the stairs.",
        "Take the stairs up to Level 1. Then walk towards X-ray.",
        "X-ray: the first door on your right.",
    ]


def test_the_stairs_route_in_spanish():
    assert told("x-ray", "es") == [
        "Gire a la derecha y camine hacia la escalera.",
        "Suba por la escalera hasta Planta 1. Después, camine hacia Radiología.",
        "Radiología: la primera puerta a su derecha.",
    ]


def test_the_step_free_route_in_english_and_spanish():
    assert told("x-ray", "en", Mode.STEP_FREE) == [
        "Turn right and walk towards the elevators.",
        "Take the elevator to Level 1. Then walk towards X-ray.",
        "X-ray: the first door on your left.",
    ]
    assert told("x-ray", "es", Mode.STEP_FREE) == [
        "Gire a la derecha y camine hacia los ascensores.",
        "Tome el ascensor hasta Planta 1. Después, camine hacia Radiología.",
        "Radiología: la primera puerta a su izquierda.",
    ]


def test_a_turn_names_its_landmark_in_each_language():
    assert told("room-1", "en", Mode.STEP_FREE, start="x-ray") == [
        "From X-ray, walk towards the café.",
        "Turn right at the café.",
        "Take the elevator to Ground floor. Then walk towards Room 1.",
        "Room 1: the first door on your right.",
    ]
    assert told("room-1", "es", Mode.STEP_FREE, start="x-ray")[:2] == [
        "Desde Radiología, camine hacia la cafetería.",
        "Gire a la derecha en la cafetería.",
    ]


@pytest.mark.parametrize(
    ("to", "english", "spanish"),
    [
        ("s30", "s30: the third door on your right.", "s30: la tercera puerta a su derecha."),
        ("n40", "n40: the second door on your left.", "n40: la segunda puerta a su izquierda."),
        ("end", "end: straight ahead.", "end: justo delante."),
    ],
)
def test_the_arrival_counts_doors_in_each_language(to, english, spanish):
    assert told(to, "en", data=CORRIDOR)[-1] == english
    assert told(to, "es", data=CORRIDOR)[-1] == spanish


def test_a_language_without_a_catalogue_falls_back_to_english_words_and_site_names():
    words = Words("xx", ["en", "es"])  # no language ships as "xx"

    assert words.duration(3) == "About 3 minutes on foot"
    assert words.name(both("Room 1", "Consulta 1")) == "Room 1"
    assert Words("es", ["en", "es"]).name({"en": "Room 1"}) == "Room 1"


@pytest.mark.parametrize(
    ("language", "one", "three"),
    [
        ("en", "About 1 minute on foot", "About 3 minutes on foot"),
        ("es", "Aproximadamente 1 minuto a pie", "Unos 3 minutos a pie"),
    ],
)
def test_the_walking_time_in_each_language(language, one, three):
    words = Words(language)

    assert words.duration(1) == one
    assert words.duration(3) == three


@pytest.mark.parametrize(
    ("language", "via", "hint"),
    [
        ("en", EdgeKind.ELEVATOR, "Room 14, Level 2, take the elevator"),
        ("es", EdgeKind.ELEVATOR, "Room 14, Level 2, tome el ascensor"),
        ("en", EdgeKind.STAIRS, "Room 14, Level 2, take the stairs"),
        ("en", None, "Room 14, Level 2"),
    ],
)
def test_a_one_line_hint_for_the_display(language, via, hint):
    assert Words(language).hint("Room 14", "Level 2", via) == hint
