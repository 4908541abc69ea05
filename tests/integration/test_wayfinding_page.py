"""The route page, /route?site=&from=&to=&mode=&lang=, and the floor-plan pictures."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from server import services
from server.sites.schema import parse_site_text
from tests.conftest import SITE
from tests.domain.test_wayfinding_map_file import GOOD as SMALL_SITE
from tests.integration.test_wayfinding_api import (
    demo_without_map,
    small_site_with_no_step_free_way_to_room_2,
)


class Page(HTMLParser):
    """The bits of a page the tests look at: headings, list items, options, links."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.text, self._open = [], {}, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append(len(self.tags) - 1)
        self.text[len(self.tags) - 1] = ""

    def handle_endtag(self, tag):
        while self._open:
            index = self._open.pop()
            if self.tags[index][0] == tag:
                break

    def handle_data(self, data):
        for index in self._open:
            self.text[index] += data

    def all(self, tag, **attrs):
        return [
            " ".join(self.text[i].split())
            for i, (name, found) in enumerate(self.tags)
            if name == tag and all(found.get(k) == v for k, v in attrs.items())
        ]

    def attrs(self, tag):
        return [found for name, found in self.tags if name == tag]


def get(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response, Page(response.get_data(as_text=True))


def load(app, text):
    with app.app_context():
        services.load_site(parse_site_text(text))


def test_the_route_page_shows_the_steps_the_time_and_a_drawing_per_floor(client):
    _, page = get(client, f"/route?site={SITE}&to=room-3&mode=step_free")

    assert page.all("h1") == ["The way to Room 3"]
    steps = page.all("li")
    assert "Turn right and walk towards the café. (26 m)" in steps
    assert "Room 3: the first door on your right." in steps
    assert "About 2 minutes on foot (56 m)" in steps
    assert "♿ Step-free way: no stairs or escalators" in steps
    assert page.all("figcaption") == ["Ground floor", "Level 1"]
    drawings = page.attrs("svg")
    assert [d["role"] for d in drawings] == ["img", "img"]
    assert [d["aria-labelledby"] for d in drawings] == [
        "route-ground-title route-ground-desc",
        "route-level-1-title route-level-1-desc",
    ]
    assert page.all("title", id="route-level-1-title") == ["Level 1: the way to Room 3"]


def test_the_steps_are_an_ordered_list_beside_the_drawings(client):
    response, _ = get(client, f"/route?site={SITE}&to=lab-1")
    html = response.get_data(as_text=True)

    steps = html[html.index('<section class="route-steps"') : html.index("</section>")]
    assert "<ol>" in steps
    assert re.findall(r"<li>(.*?)(?: <span|</li>)", steps) == [
        "Turn right and walk towards the laboratory.",
        "Turn left at the laboratory. Go through the door.",
        "Lab counter 1: on your left.",
    ]


def test_the_route_page_speaks_the_language_asked(client):
    _, page = get(client, f"/route?site={SITE}&to=room-3&lang=es")

    assert page.attrs("html")[0]["lang"] == "es"
    assert page.all("h1") == ["Cómo llegar: Consulta 3"]
    assert (
        "Suba por la escalera hasta Planta 1. Después, camine hacia la fuente de agua. (16 m)"
        in (page.all("li"))
    )
    current = [a for a in page.attrs("a") if a.get("aria-current") == "page"]
    assert [a["lang"] for a in current] == ["es"]


def test_the_page_links_to_the_other_mode_and_keeps_the_choice(client):
    _, page = get(client, f"/route?site={SITE}&from=main-waiting&to=treatment&lang=es")

    links = [a["href"] for a in page.attrs("a")]
    assert "/route?site=riverside&from=main-waiting&to=treatment&mode=step_free&lang=es" in links
    assert "/route?site=riverside&from=main-waiting&to=treatment&mode=shortest&lang=en" in links
    selected = [o for o in page.attrs("option") if "selected" in o]
    assert [o["value"] for o in selected] == ["treatment", "main-waiting"]


def test_without_a_destination_the_page_offers_every_place_grouped_by_kind(client):
    _, page = get(client, "/route")  # one site: no ?site= needed

    assert page.all("h1") == ["Find your way"]
    groups = [g["label"] for g in page.attrs("optgroup")]
    assert groups[:2] == ["Rooms and counters", "Waiting areas"]
    places = [o["value"] for o in page.attrs("option")]
    for room in ("room-1", "room-2", "room-3", "lab-1", "lab-2", "treatment", "pharmacy"):
        assert room in places
    assert [r["value"] for r in page.attrs("input") if r.get("type") == "radio"] == [
        "shortest",
        "step_free",
    ]


def test_the_form_asks_for_a_route_the_page_can_show(client):
    _, page = get(client, "/route")
    form = page.attrs("form")[0]
    fields = {i["name"]: i.get("value") for i in page.attrs("input") if i.get("type") == "hidden"}

    assert form["method"] == "get" and form["action"] == "/route"
    assert fields == {"site": SITE, "lang": "en"}
    get(client, "/route?site=riverside&lang=en&to=pharmacy&from=entrance&mode=step_free")


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (f"/route?site={SITE}&to=room-99", 404, "We could not find that place."),
        (f"/route?site={SITE}&to=room-1&from=roof", 404, "We could not find that place."),
        (f"/route?site={SITE}&to=room-1&mode=fast", 400, "Please choose where you want to go"),
        ("/route?site=atlantis&to=room-1", 404, "There is no such site here."),
    ],
)
def test_a_bad_request_gets_a_clear_page(client, path, status, message):
    _, page = get(client, path, status)

    assert any(message in p for p in page.all("p", **{"class": "route-error"}))


def test_no_step_free_way_is_said_and_the_shortest_way_offered(app, client):
    load(app, small_site_with_no_step_free_way_to_room_2())

    _, page = get(client, "/route?site=test&to=room-2&mode=step_free", 422)

    assert page.all("p", **{"class": "route-error"}) == [
        "There is no step-free way there. Please ask at the front desk for help."
    ]
    get(client, "/route?site=test&to=room-2&mode=shortest")


def test_a_site_without_a_map_says_so(app, client):
    load(app, demo_without_map())

    _, page = get(client, "/route?site=hilltop&to=room-1", 404)

    assert page.all("p", **{"class": "route-error"}) == [
        "This site has no map yet. Please ask at the front desk."
    ]


def test_the_page_runs_no_script_and_has_no_inline_style(client):
    response, page = get(client, f"/route?site={SITE}&to=room-3")
    html = response.get_data(as_text=True)

    assert page.attrs("script") == []
    assert " style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- Floor-plan pictures -----------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)
GROUND = 'name = { en = "Ground floor", es = "Planta baja" }\nwidth = 40\nheight = 20\n'


def site_with_plans(app, tmp_path):
    (tmp_path / "ground.png").write_bytes(PNG)
    (tmp_path / "first.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    text = SMALL_SITE.replace(GROUND, GROUND + 'image = "ground.png"\n').replace(
        'name = { en = "First floor", es = "Primera planta" }\nwidth = 40\nheight = 20\n',
        'name = { en = "First floor", es = "Primera planta" }\nwidth = 40\nheight = 20\n'
        'image = "first.svg"\n',
    )
    with app.app_context():
        services.load_site(parse_site_text(text, folder=tmp_path))


def test_a_floor_plan_picture_is_drawn_under_the_route_and_served(app, client, tmp_path):
    site_with_plans(app, tmp_path)

    svg = client.get("/api/sites/test/route?to=room-1").get_json()["drawings"][0]["svg"]
    with client.get("/route/plans/test/ground") as plan:  # a file response: close it
        assert plan.status_code == 200
        assert plan.mimetype == "image/png"
        assert plan.data == PNG

    assert '<image class="plan-image" href="/route/plans/test/ground"' in svg


def test_an_svg_floor_plan_opened_on_its_own_runs_nothing(app, client, tmp_path):
    site_with_plans(app, tmp_path)

    with client.get("/route/plans/test/first") as plan:
        assert plan.mimetype == "image/svg+xml"
        policy = plan.headers["Content-Security-Policy"]

    assert "default-src 'none'" in policy and "sandbox" in policy


def test_a_floor_without_a_plan_picture_has_none_to_serve(client):
    assert client.get(f"/route/plans/{SITE}/ground").status_code == 404
    assert client.get(f"/route/plans/{SITE}/attic").status_code == 404
    assert client.get("/route/plans/atlantis/ground").status_code == 404
