"""The console's form for the site's own yes/no feedback question (the site file's
`[feedback_question]`): set, change and remove it in every language of the site, bad
input refused saying why with nothing changed, and the site file written back
(`export_site`) loading to the same question."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from server import services
from server.extensions import db
from server.services import feedback as feedback_service
from server.services import site_admin
from server.sites.schema import parse_site_text
from server.storage.models import AuditEntry
from tests.conftest import SITE
from tests.integration.test_admin_pages import csrf_token
from tests.integration.test_feedback_question import ENGLISH, SPANISH
from tests.integration.test_site_admin import ADMIN

LANGUAGES = ("en", "es", "fr", "pt", "zh", "vi", "ar", "pl")
FORM = f"/admin/{SITE}/feedback-question"
NEW = {lang: f"Did we call you by the name you asked for? ({lang})" for lang in LANGUAGES}
NEW["es"] = "¿Le llamamos por el nombre que pidió?"


def question_fields(page: str) -> dict[str, str]:
    """The question's inputs as the console's site page fills them in."""
    found = re.findall(r'<input type="text" name="question-([a-z]{2})" value="([^"]*)"', page)
    return {lang: html.unescape(value) for lang, value in found}


def post(admin, texts: dict[str, str], action: str = "save"):
    data = {f"question-{lang}": words for lang, words in texts.items()}
    return admin.post(FORM, data={"csrf_token": csrf_token(admin), "action": action, **data})


def asked(app, language: str) -> str | None:
    with app.app_context():
        return feedback_service.site_question(SITE, language)


def exported(app) -> str:
    with app.app_context():
        return site_admin.export_site(SITE)


def test_the_site_page_shows_the_question_in_every_language_of_the_site(admin):
    page = admin.get(f"/admin/{SITE}").get_data(as_text=True)
    fields = question_fields(page)
    assert list(fields) == list(LANGUAGES)  # the site's languages, in its order
    assert fields["en"] == ENGLISH and fields["es"] == SPANISH
    assert 'name="action" value="remove"' in page
    assert 'maxlength="200"' in page


def test_an_admin_changes_the_question_in_every_language(app, admin):
    saved = post(admin, NEW)
    assert saved.status_code == 302 and saved.location.endswith(f"/admin/{SITE}")
    page = admin.get(f"/admin/{SITE}").get_data(as_text=True)
    assert "Saved. Every screen of the site shows it now." in page
    assert question_fields(page) == NEW
    assert asked(app, "es") == NEW["es"] and asked(app, "en") == NEW["en"]
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "site_edited")
        ).one()
    assert entry.detail["part"] == "feedback_question"
    assert entry.detail["before"]["text"]["en"] == ENGLISH
    assert entry.detail["after"] == {"text": NEW}


def test_the_changed_question_is_written_back_and_loads_to_the_same_site(app, admin):
    post(admin, NEW)
    text = exported(app)
    assert "feedback_question" in text
    spec = parse_site_text(text)
    assert spec.feedback_question is not None and spec.feedback_question.text == NEW
    with app.app_context():
        services.load_site(spec)
    assert asked(app, "pl") == NEW["pl"]
    assert exported(app) == text


def test_an_admin_removes_the_question_and_sets_it_again(app, admin, client):
    removed = post(admin, NEW, action="remove")  # the words sent with "remove" are not kept
    assert removed.status_code == 302
    assert asked(app, "en") is None
    page = admin.get(f"/admin/{SITE}").get_data(as_text=True)
    assert set(question_fields(page).values()) == {""}
    assert 'name="action" value="remove"' not in page
    assert "feedback_question" not in exported(app)
    assert parse_site_text(exported(app)).feedback_question is None
    kiosk = client.get(f"/feedback/{SITE}").get_data(as_text=True)
    assert 'name="site_answer"' not in kiosk

    assert post(admin, NEW).status_code == 302
    assert asked(app, "es") == NEW["es"]
    assert parse_site_text(exported(app)).feedback_question.text == NEW  # type: ignore[union-attr]


def test_every_language_left_blank_asks_no_question(app, admin):
    assert post(admin, dict.fromkeys(LANGUAGES, "  ")).status_code == 302
    assert asked(app, "en") is None


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"es": ""}, "feedback_question.text: no translation for es"),
        (
            {"fr": "x" * 201},
            # The page lists a refusal's parts one by one ("; ").
            "feedback_question.text: the fr question is 201 characters long</code></li>"
            "<li><code>at most 200",
        ),
        ({"en": "Were you\ttold?"}, "feedback_question.text: control characters are not allowed"),
    ],
)
def test_a_bad_question_is_refused_saying_why_and_nothing_changes(app, admin, change, says):
    before = exported(app)
    refused = post(admin, {**NEW, **change})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    # The form comes back as it was filled in, to mend.
    fields = question_fields(page)
    page = html.unescape(page)
    assert "Nothing was saved: the site file's checks refused it." in page
    assert says in page
    assert fields["pl"] == NEW["pl"]
    assert exported(app) == before
    assert asked(app, "es") == SPANISH
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action)).all().count("site_edited") == 0


def test_staff_without_the_admin_role_cannot_change_the_question(app, staff):
    token = csrf_token(staff, "/desk")
    data = {"csrf_token": token, "action": "remove"}
    assert staff.post(FORM, data=data).status_code == 403
    assert asked(app, "en") == ENGLISH


def test_the_form_without_its_token_saves_nothing(app, admin):
    assert admin.post(FORM, data={"action": "remove"}).status_code == 400
    assert asked(app, "en") == ENGLISH


def test_a_site_with_a_question_can_drop_a_language_and_take_it_up_again(app, admin):
    """The question keeps its words in a language the site does not speak (as names
    do): dropping Polish is not refused for the Polish question, and taking Polish up
    again needs no new question first."""
    with app.app_context():
        site = site_admin.console_parts(SITE)["site"]
    without_polish = [lang for lang in LANGUAGES if lang != "pl"]
    with app.app_context():
        site_admin.edit_site(SITE, "site", {**site, "languages": without_polish}, actor=ADMIN)
    assert asked(app, "en") == ENGLISH
    assert parse_site_text(exported(app)).feedback_question.text["pl"]  # type: ignore[union-attr]
    page = admin.get(f"/admin/{SITE}").get_data(as_text=True)
    assert "pl" in question_fields(page)  # written for a language the site may take up

    with app.app_context():
        site_admin.edit_site(SITE, "site", {**site, "languages": list(LANGUAGES)}, actor=ADMIN)
    assert asked(app, "pl") is not None
