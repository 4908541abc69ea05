"""The site's own yes/no question on the feedback survey (issue 18): the site file's
`[feedback_question]` and its checks, the question on the phone's survey and the
kiosk's form in the patient's language, answering yes, no or not at all, a bad value
refused with nothing changed, a change within the hour, the words kept as asked, the
inbox, and the figures (the summary API and the inbox's)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from server import services
from server.services import feedback as feedback_service
from server.services import site_admin
from server.sites.schema import SiteFileError, parse_site_text
from server.storage import queries
from tests.conftest import DEMO_SITE, SITE
from tests.integration.test_feedback import answer, answers, csrf, finished_visit

DEMO_TEXT = DEMO_SITE.read_text(encoding="utf-8")
QUESTION_LINE = re.search(r"^\[feedback_question\]\ntext = .*$", DEMO_TEXT, re.M)
assert QUESTION_LINE is not None
# The line of `text = ...`, where an error in the question's words is placed.
TEXT_LINE = DEMO_TEXT[: QUESTION_LINE.start()].count("\n") + 2
ENGLISH = "Were you told how long you would wait?"
SPANISH = "¿Le dijeron cuánto tiempo tendría que esperar?"


def with_question(table: str) -> str:
    """The demo site file with its [feedback_question] table replaced (blank: none)."""
    assert QUESTION_LINE is not None
    return DEMO_TEXT.replace(QUESTION_LINE.group(0), table)


def load(app: Flask, text: str) -> None:
    with app.app_context():
        services.load_site(parse_site_text(text))


def question_table(**texts: str) -> str:
    words = ", ".join(f'{language} = "{text}"' for language, text in texts.items())
    return f"[feedback_question]\ntext = {{ {words} }}"


EVERY_LANGUAGE = {
    "en": ENGLISH,
    "es": SPANISH,
    **{lang: f"{ENGLISH} ({lang})" for lang in ("fr", "pt", "zh", "vi", "ar", "pl")},
}


# --- The site file --------------------------------------------------------------------


def test_the_demo_site_asks_its_question_in_every_one_of_its_languages():
    spec = parse_site_text(DEMO_TEXT)
    assert spec.feedback_question is not None
    assert set(spec.feedback_question.text) == set(spec.site.languages)
    assert spec.feedback_question.text["en"] == ENGLISH
    assert spec.feedback_question.text["es"] == SPANISH
    assert parse_site_text(with_question("")).feedback_question is None


@pytest.mark.parametrize(
    ("texts", "says"),
    [
        (
            {**EVERY_LANGUAGE, "es": "  "},
            f"feedback_question.text (line {TEXT_LINE}): the es question is empty",
        ),
        (
            {**EVERY_LANGUAGE, "fr": "x" * 201},
            f"feedback_question.text (line {TEXT_LINE}):"
            " the fr question is 201 characters long; at most 200",
        ),
        (
            {k: v for k, v in EVERY_LANGUAGE.items() if k not in ("vi", "pl")},
            "feedback_question.text: no translation for vi, pl",
        ),
    ],
)
def test_a_bad_question_is_refused_saying_why(texts, says):
    with pytest.raises(SiteFileError) as refused:
        parse_site_text(with_question(question_table(**texts)))
    assert says in str(refused.value)


def test_a_question_with_a_control_character_or_no_text_table_is_refused():
    with pytest.raises(SiteFileError) as refused:
        parse_site_text(with_question('[feedback_question]\ntext = { en = "a\\u0000b" }'))
    said = f"feedback_question.text (line {TEXT_LINE}): control characters are not allowed"
    assert said in str(refused.value)
    with pytest.raises(SiteFileError) as refused:
        parse_site_text(with_question("[feedback_question]\nwords = 1"))
    assert "feedback_question.text: Field required" in str(refused.value)


def test_a_refused_site_file_leaves_the_loaded_question_as_it_was(app, client, staff):
    with pytest.raises(SiteFileError):
        load(app, with_question(question_table(**{**EVERY_LANGUAGE, "en": ""})))
    with app.app_context():
        assert feedback_service.site_question(SITE, "en") == ENGLISH


def test_the_question_is_written_back_when_the_site_is_exported(app):
    with app.app_context():
        exported = site_admin.export_site(SITE)
    again = parse_site_text(exported)
    assert again.feedback_question is not None
    assert again.feedback_question.text == parse_site_text(DEMO_TEXT).feedback_question.text  # type: ignore[union-attr]


def test_saving_the_sites_table_in_the_console_keeps_the_question(app):
    with app.app_context():
        head = site_admin.site_file_data(queries.get_site(SITE))["site"]
        site_admin.edit_site(SITE, "site", {**head, "name": "Riverside Clinic"})
        assert feedback_service.site_question(SITE, "es") == SPANISH


# --- The survey -----------------------------------------------------------------------


def legend_of_the_question(page: str) -> str | None:
    found = re.search(
        r'<fieldset class="site-question"[^>]*>\s*<legend>([^<]*)</legend>(.*?)</fieldset>',
        page,
        re.S,
    )
    if found is None:
        return None
    assert 'name="site_answer" value="yes"' in found.group(2)
    assert 'name="site_answer" value="no"' in found.group(2)
    assert "required" not in found.group(2)  # optional to answer
    return found.group(1)


def test_the_phone_survey_asks_the_question_in_the_tickets_language(app, client, staff):
    token = finished_visit(client, staff, language="es")
    page = client.get(f"/t/{token}/feedback").get_data(as_text=True)
    assert legend_of_the_question(page) == SPANISH
    assert "Opcional." in page


def test_the_kiosk_form_asks_the_question_in_the_pages_language(client):
    page = client.get(f"/feedback/{SITE}?lang=es").get_data(as_text=True)
    assert legend_of_the_question(page) == SPANISH
    page = client.get(f"/feedback/{SITE}?lang=en").get_data(as_text=True)
    assert legend_of_the_question(page) == ENGLISH


def test_a_site_with_no_question_asks_none_and_keeps_no_answer(app, client, staff):
    load(app, with_question(""))
    token = finished_visit(client, staff)
    assert legend_of_the_question(client.get(f"/t/{token}/feedback").get_data(as_text=True)) is None
    assert legend_of_the_question(client.get(f"/feedback/{SITE}").get_data(as_text=True)) is None
    assert answer(client, token, rating="good", site_answer="yes").status_code == 200
    (row,) = answers(app)
    assert row.site_answer is None and row.site_question is None
    body = answer_summary(app)
    assert body["site_question"] is None


@pytest.mark.parametrize(("given", "kept"), [("yes", True), ("no", False), ("", None)])
def test_the_answer_is_kept_with_the_question_as_asked(app, client, staff, given, kept):
    token = finished_visit(client, staff, language="es")
    assert answer(client, token, rating="good", site_answer=given).status_code == 200
    (row,) = answers(app)
    assert row.site_answer is kept
    assert row.site_question == (SPANISH if kept is not None else None)
    page = client.get(f"/t/{token}/feedback").get_data(as_text=True)
    checked = re.findall(r'name="site_answer" value="(yes|no)"\s+checked', page)
    assert checked == ([given] if given else [])


def test_the_kiosk_form_keeps_the_answer_in_its_language(app, client):
    path = f"/feedback/{SITE}?lang=es"
    sent = client.post(
        path, data={"csrf_token": csrf(client, path), "rating": "good", "site_answer": "no"}
    )
    assert sent.status_code == 200
    (row,) = answers(app)
    assert row.site_answer is False and row.site_question == SPANISH and row.ticket_id is None


@pytest.mark.parametrize("bad", ["maybe", "YES", "true", "1", "yes\x00"])
def test_a_bad_answer_is_refused_with_a_400_and_nothing_changes(app, client, staff, bad):
    token = finished_visit(client, staff)
    refused = answer(client, token, rating="good", site_answer=bad)
    assert refused.status_code == 400
    assert "Please answer Yes or No to the second question" in refused.get_data(as_text=True)
    assert answers(app) == []
    assert answer(client, token, rating="good", site_answer="yes").status_code == 200
    refused = answer(client, token, rating="poor", text="Changed", site_answer=bad)
    assert refused.status_code == 400
    (row,) = answers(app)
    assert (row.rating, row.text, row.site_answer, row.changed_at) == ("good", None, True, None)


def test_a_bad_answer_at_the_kiosk_is_refused_and_nothing_is_kept(app, client):
    path = f"/feedback/{SITE}?lang=en"
    refused = client.post(
        path, data={"csrf_token": csrf(client, path), "rating": "good", "site_answer": "perhaps"}
    )
    assert refused.status_code == 400 and answers(app) == []


def test_the_answer_changes_within_the_hour_then_is_locked(app, client, staff, clock):
    token = finished_visit(client, staff)
    assert answer(client, token, rating="good", site_answer="yes").status_code == 200
    clock.advance(minutes=40)
    assert answer(client, token, rating="good", site_answer="no").status_code == 200
    (row,) = answers(app)
    assert row.site_answer is False and row.site_question == ENGLISH and row.changed_at
    clock.advance(minutes=10)
    assert answer(client, token, rating="good", site_answer="").status_code == 200
    (row,) = answers(app)
    assert row.site_answer is None and row.site_question is None
    clock.advance(minutes=11)
    assert answer(client, token, rating="good", site_answer="yes").status_code == 409
    (row,) = answers(app)
    assert row.site_answer is None


# --- What staff see -------------------------------------------------------------------


def answer_summary(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return feedback_service.feedback_summary(SITE)


def test_the_figures_count_yes_and_no_to_the_current_question(app, client, staff, admin):
    for language, given in (("en", "yes"), ("es", "yes"), ("en", "no"), ("en", "")):
        token = finished_visit(client, staff, language=language)
        assert answer(client, token, rating="good", site_answer=given).status_code == 200
    body = admin.get(f"/api/sites/{SITE}/feedback/summary").get_json()
    figures = body["site_question"]
    assert (figures["yes"], figures["no"], figures["yes_percent"]) == (2, 1, 66.7)
    assert figures["text"]["en"] == ENGLISH and figures["text"]["es"] == SPANISH
    inbox = admin.get(f"/feedback/inbox?site={SITE}").get_data(as_text=True)
    table = re.search(r'<table id="site-question-figures">(.*?)</table>', inbox, re.S)
    assert table is not None
    cells = re.findall(r"<td>([^<]*)</td>", table.group(1))
    assert cells == [ENGLISH, "2", "1", "66.7%"]


def test_new_words_do_not_relabel_old_answers(app, client, staff, admin):
    token = finished_visit(client, staff)
    answer(client, token, rating="good", site_answer="yes")
    new_words = {**EVERY_LANGUAGE, "en": "Did we tell you about delays?"}
    load(app, with_question(question_table(**new_words)))
    token = finished_visit(client, staff)
    answer(client, token, rating="good", site_answer="no")
    old, new = answers(app)
    assert (old.site_question, old.site_answer) == (ENGLISH, True)
    assert (new.site_question, new.site_answer) == ("Did we tell you about delays?", False)
    figures = admin.get(f"/api/sites/{SITE}/feedback/summary").get_json()["site_question"]
    assert (figures["yes"], figures["no"], figures["yes_percent"]) == (0, 1, 0.0)
    inbox = admin.get(f"/feedback/inbox?site={SITE}").get_data(as_text=True)
    shown = re.findall(r'<p class="site-answer">([^<]*)<strong>([^<]*)</strong>', inbox)
    assert [(q.strip(), a) for q, a in shown] == [
        ("Did we tell you about delays?", "No"),
        (ENGLISH, "Yes"),
    ]


def test_the_inbox_shows_each_answer_with_the_question_in_the_staffs_language(
    app, client, staff, admin
):
    token = finished_visit(client, staff, language="es")
    answer(client, token, rating="good", site_answer="yes")
    token = finished_visit(client, staff)
    answer(client, token, rating="good")  # not answered: nothing shown
    inbox = admin.get(f"/feedback/inbox?site={SITE}&lang=en").get_data(as_text=True)
    shown = re.findall(r'<p class="site-answer">([^<]*)<strong>([^<]*)</strong>', inbox)
    assert [(q.strip(), a) for q, a in shown] == [(ENGLISH, "Yes")]
    inbox = admin.get(f"/feedback/inbox?site={SITE}&lang=es").get_data(as_text=True)
    shown = re.findall(r'<p class="site-answer">([^<]*)<strong>([^<]*)</strong>', inbox)
    assert [(q.strip(), a) for q, a in shown] == [(SPANISH, "Sí")]
