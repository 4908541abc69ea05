"""Feedback rules: the FFT scale, the case states and a reply's delivery, the link's
and the change's windows, the overdue flag on working days, the site's own yes/no
question, and the figures."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain.errors import BadInput, Gone
from server.domain.feedback import (
    CHANGE_WINDOW,
    EMAIL_STUCK_AFTER,
    LINK_LIFETIME,
    AnswerLocked,
    Case,
    CaseStatus,
    CaseStepRefused,
    ContactKind,
    Rating,
    ReplyStatus,
    Response,
    check_contact,
    check_feedback_text,
    check_link_open,
    check_may_change,
    check_site_answer,
    is_overdue,
    may_retry_reply,
    opens_case,
    question_in,
    summarise,
    survey_text_at,
    wait_band,
    working_days_between,
    yes_percent,
)

ENDED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_the_scale_is_the_ffts_five_points_and_dont_know_in_its_order():
    assert [r.value for r in Rating] == [
        "very_good",
        "good",
        "neither",
        "poor",
        "very_poor",
        "dont_know",
    ]


@pytest.mark.parametrize(
    ("rating", "complaint", "opens"),
    [
        (Rating.POOR, False, True),
        (Rating.VERY_POOR, False, True),
        (Rating.NEITHER, False, False),
        (Rating.VERY_GOOD, False, False),
        (Rating.GOOD, True, True),
        (Rating.DONT_KNOW, True, True),
    ],
)
def test_poor_answers_and_complaints_open_a_case(rating, complaint, opens):
    assert opens_case(rating, complaint) is opens


def test_a_case_is_worked_new_acknowledged_action_taken_replied():
    case = Case(CaseStatus.NEW, has_contact=True)
    case = case.acknowledge()
    assert case.status is CaseStatus.ACKNOWLEDGED and not case.closed
    case = case.take_action("  We added a second nurse on Mondays. ")
    assert case.what_we_did == "We added a second nurse on Mondays."
    assert not case.closed  # the patient asked to hear back
    case, reply = case.reply("Thank you. We added a nurse.")
    assert case.status is CaseStatus.REPLIED and case.reply_status is ReplyStatus.PENDING
    assert not case.closed  # not until the reply went
    assert reply == "Thank you. We added a nurse."
    case = case.reply_delivered(True)
    assert case.reply_status is ReplyStatus.SENT and case.closed


def test_a_reply_that_failed_keeps_the_case_open_and_may_be_sent_again():
    case, _ = Case(CaseStatus.ACTION_TAKEN, has_contact=True, what_we_did="x").reply("Hi")
    failed = case.reply_delivered(False)
    assert failed.reply_status is ReplyStatus.FAILED and not failed.closed
    assert may_retry_reply(failed, ContactKind.MOBILE, ENDED, ENDED)
    again = failed.retry_reply(ContactKind.EMAIL, ENDED, ENDED)
    assert again.reply_status is ReplyStatus.PENDING and not again.closed
    assert again.what_we_did == "x"


def test_a_reply_is_sent_or_fails_only_while_pending():
    pending, _ = Case(CaseStatus.ACTION_TAKEN, has_contact=True).reply("Hi")
    for done in (pending.reply_delivered(True), pending.reply_delivered(False)):
        with pytest.raises(CaseStepRefused):
            done.reply_delivered(True)
    with pytest.raises(CaseStepRefused):
        Case(CaseStatus.ACTION_TAKEN, has_contact=True).reply_delivered(False)


def test_a_case_replied_before_delivery_was_recorded_stays_closed():
    assert Case(CaseStatus.REPLIED, has_contact=False).closed


@pytest.mark.parametrize(
    ("status", "by", "pending_for", "may"),
    [
        (ReplyStatus.FAILED, ContactKind.EMAIL, timedelta(0), True),
        (ReplyStatus.FAILED, ContactKind.MOBILE, timedelta(0), True),
        (ReplyStatus.SENT, ContactKind.EMAIL, timedelta(days=1), False),
        # An email still pending was cut off mid-send once EMAIL_STUCK_AFTER passed.
        (ReplyStatus.PENDING, ContactKind.EMAIL, EMAIL_STUCK_AFTER - timedelta(seconds=1), False),
        (ReplyStatus.PENDING, ContactKind.EMAIL, EMAIL_STUCK_AFTER, True),
        # A text is the outbox's to try until it gives up: it ends sent or failed.
        (ReplyStatus.PENDING, ContactKind.MOBILE, timedelta(days=1), False),
    ],
)
def test_which_replies_may_be_sent_again(status, by, pending_for, may):
    case = Case(CaseStatus.REPLIED, has_contact=True, reply_status=status)
    assert may_retry_reply(case, by, ENDED, ENDED + pending_for) is may
    if not may:
        with pytest.raises(CaseStepRefused):
            case.retry_reply(by, ENDED, ENDED + pending_for)


def test_a_reply_whose_contact_went_cannot_be_sent_again():
    case = Case(CaseStatus.REPLIED, has_contact=False, reply_status=ReplyStatus.FAILED)
    assert not may_retry_reply(case, ContactKind.EMAIL, ENDED, ENDED)
    assert not may_retry_reply(
        Case(CaseStatus.ACTION_TAKEN, has_contact=True), ContactKind.EMAIL, ENDED, ENDED
    )


def test_without_contact_a_case_closes_at_action_taken_and_cannot_be_replied_to():
    case = Case(CaseStatus.ACKNOWLEDGED, has_contact=False).take_action("Fixed the door.")
    assert case.closed
    with pytest.raises(CaseStepRefused):
        case.reply("Hello")


@pytest.mark.parametrize("what", ["", "   ", "\n"])
def test_what_we_did_is_required_to_close(what):
    with pytest.raises(BadInput):
        Case(CaseStatus.ACKNOWLEDGED, has_contact=False).take_action(what)


def test_steps_cannot_be_skipped_or_repeated():
    with pytest.raises(CaseStepRefused):
        Case(CaseStatus.NEW, has_contact=False).take_action("x")
    with pytest.raises(CaseStepRefused):
        Case(CaseStatus.ACKNOWLEDGED, has_contact=True).acknowledge()
    with pytest.raises(CaseStepRefused):
        Case(CaseStatus.NEW, has_contact=True).reply("x")


def test_the_link_works_for_seven_days_after_the_visit():
    assert timedelta(days=7) == LINK_LIFETIME
    check_link_open(ENDED, ENDED + LINK_LIFETIME)
    with pytest.raises(Gone):
        check_link_open(ENDED, ENDED + LINK_LIFETIME + timedelta(seconds=1))
    with pytest.raises(Gone):
        check_link_open(None, ENDED)


def test_an_answer_may_be_changed_within_an_hour_only():
    assert timedelta(hours=1) == CHANGE_WINDOW
    check_may_change(ENDED, ENDED + CHANGE_WINDOW)
    with pytest.raises(AnswerLocked):
        check_may_change(ENDED, ENDED + CHANGE_WINDOW + timedelta(seconds=1))


def test_free_text_is_up_to_2000_characters_without_control_characters():
    assert check_feedback_text("Line one\nline two") == "Line one\nline two"
    assert check_feedback_text("   ") is None
    assert len(check_feedback_text("a" * 2000) or "") == 2000
    with pytest.raises(BadInput):
        check_feedback_text("a" * 2001)
    with pytest.raises(BadInput):
        check_feedback_text("bad\x00byte")


def test_contact_is_an_email_address_or_a_mobile_number():
    assert check_contact(" pat@example.org ").kind is ContactKind.EMAIL
    mobile = check_contact("+44 7700 900123")
    assert mobile.kind is ContactKind.MOBILE and mobile.address == "+447700900123"
    for bad in ("not an address", "a@b", "12", "x\x00@example.org"):
        with pytest.raises(BadInput):
            check_contact(bad)


def test_overdue_counts_the_sites_working_days():
    weekdays = frozenset(range(5))
    friday, monday, tuesday, wednesday = (
        date(2026, 3, 13),
        date(2026, 3, 16),
        date(2026, 3, 17),
        date(2026, 3, 18),
    )
    assert working_days_between(friday, tuesday, weekdays) == 2  # the weekend does not count
    assert not is_overdue(friday, tuesday, 2, weekdays)
    assert is_overdue(friday, wednesday, 2, weekdays)
    # A site open on Saturdays counts it.
    assert is_overdue(friday, monday, 1, frozenset(range(6)))
    assert not is_overdue(friday, monday, 1, weekdays)


@pytest.mark.parametrize(
    ("minutes", "band"),
    [
        (0, "under_15"),
        (14.9, "under_15"),
        (15, "15_30"),
        (30, "30_60"),
        (60, "over_60"),
        (None, None),
    ],
)
def test_wait_bands(minutes, band):
    assert wait_band(minutes) == band


def test_figures_per_service_and_week_the_nhs_way():
    week = date(2026, 3, 9)
    answers = [
        Response("G", week, Rating.VERY_GOOD, 5),
        Response("G", week, Rating.GOOD, 20),
        Response("G", week, Rating.POOR, 70),
        Response("G", week, Rating.DONT_KNOW, None),
    ]
    summary = summarise(answers, {("G", week): 10})
    row = summary.rows[("G", week)].as_dict()
    assert row == {
        "responses": 4,
        "visits": 10,
        "response_rate": 40.0,
        "positive_percent": 50.0,
        "negative_percent": 25.0,
    }
    assert summary.bands["over_60"].as_dict()["negative_percent"] == 100.0
    assert summary.bands["30_60"].as_dict()["responses"] == 0


# --- The survey's link by text ----------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, day, hour, minute, tzinfo=UTC)  # London is UTC+1 in July


@pytest.mark.parametrize(
    ("finished", "minutes", "texted"),
    [
        (_utc(6, 9), 30, _utc(6, 9, 30)),  # 10:30 in London
        (_utc(6, 19, 0), 30, _utc(6, 19, 30)),  # 20:30: still evening
        (_utc(6, 19, 45), 30, _utc(7, 7)),  # 21:15: waits for 08:00 next morning
        (_utc(6, 22), 30, _utc(7, 7)),  # 23:30
        (_utc(6, 5), 30, _utc(6, 7)),  # 06:30: waits for 08:00 the same morning
        (_utc(6, 9), "soon", _utc(6, 9, 30)),  # not a number: the default
        (_utc(6, 9), 0, _utc(6, 9)),
    ],
)
def test_the_survey_link_is_texted_after_the_delay_and_never_at_night(finished, minutes, texted):
    assert survey_text_at(finished, minutes, LONDON) == texted


# --- The site's own yes/no question ---------------------------------------------------


@pytest.mark.parametrize(("given", "kept"), [("yes", True), ("no", False), ("", None), (" ", None)])
def test_the_sites_own_question_is_answered_yes_no_or_not_at_all(given, kept):
    assert check_site_answer(given) is kept


@pytest.mark.parametrize("given", ["YES", "true", "1", "maybe", "yes no", "no\x00"])
def test_any_other_answer_to_the_sites_own_question_is_refused(given):
    with pytest.raises(BadInput, match="site_answer: answer yes or no"):
        check_site_answer(given)


def test_the_sites_own_question_is_asked_in_the_patients_language_else_the_sites_first():
    texts = {"en": "Were you told how long you would wait?", "es": "¿Le dijeron cuánto?"}
    assert question_in(texts, "es", "en") == "¿Le dijeron cuánto?"
    assert question_in(texts, "pl", "en") == "Were you told how long you would wait?"
    assert question_in({}, "es", "en") is None


def test_the_share_saying_yes_counts_only_yes_and_no():
    assert yes_percent(2, 1) == 66.7
    assert yes_percent(0, 3) == 0.0
    assert yes_percent(0, 0) is None
