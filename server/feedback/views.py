"""Thin views over services/feedback.py. Pages are rendered by Jinja, which escapes
every value (the patients' text among them); forms carry a CSRF token."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from server import auth, services
from server.domain import feedback as rules
from server.domain.errors import DomainError
from server.extensions import limiter
from server.feedback import bp
from server.i18n import select_language, use_language
from server.services import feedback as feedback_service

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
FILTERS = (
    "open",
    "cases",
    "new",
    "acknowledged",
    "action_taken",
    "replied",
    feedback_service.REPLY_FAILED,
)


def _kiosk_limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


def _given() -> feedback_service.AnswerInput:
    form = request.form
    return feedback_service.AnswerInput(
        rating=form.get("rating", ""),
        text=form.get("text", ""),
        complaint=form.get("complaint") == "yes",
        contact=form.get("contact", "") if form.get("wants_contact") == "yes" else "",
        site_answer=form.get("site_answer", ""),
    )


def _ratings() -> list[tuple[str, str]]:
    return [
        (rules.Rating.VERY_GOOD, _("Very good")),
        (rules.Rating.GOOD, _("Good")),
        (rules.Rating.NEITHER, _("Neither good nor poor")),
        (rules.Rating.POOR, _("Poor")),
        (rules.Rating.VERY_POOR, _("Very poor")),
        (rules.Rating.DONT_KNOW, _("Don't know")),
    ]


# --- The survey after a visit ---------------------------------------------------------


@bp.route("/t/<token>/feedback", methods=["GET", "POST"])
def survey(token: str) -> Any:
    try:
        survey = feedback_service.survey_for_token(token)
    except DomainError as error:
        page = render_template("feedback/ended.html", referrer_policy="no-referrer")
        return page, error.status, PRIVATE
    use_language(survey["language"])
    if request.method == "GET":
        return _form(survey, survey["answer"] or {}, url_for(".survey", token=token))
    try:
        answer = feedback_service.answer_by_token(token, _given())
    except DomainError as error:
        return _form(survey, request.form, url_for(".survey", token=token), error)
    return _thanks(answer, url_for(".survey", token=token))


def _form(survey: dict[str, Any], given: Any, action: str, error: DomainError | None = None) -> Any:
    page = render_template(
        "feedback/survey.html",
        survey=survey,
        given=given,
        action=action,
        ratings=_ratings(),
        error=_error_text(error),
        text_max=rules.TEXT_MAX_LENGTH,
        referrer_policy="no-referrer",
    )
    return page, error.status if error else 200, PRIVATE


def _error_text(error: DomainError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, rules.AnswerLocked):
        return _("This answer can no longer be changed. Thank you for telling us.")
    if "contact" in error.message:
        return _("Please give an email address or a mobile number, or say no to contact.")
    if "rating" in error.message:
        return _("Please choose one answer to the first question.")
    if "site_answer" in error.message:
        return _("Please answer Yes or No to the second question, or leave it unanswered.")
    return _(
        "Please check your answer. The text can be up to %(max)s characters.",
        max=rules.TEXT_MAX_LENGTH,
    )


def _kiosk_start(survey: dict[str, Any]) -> str | None:
    """The kiosk's start screen, for a form opened at the kiosk (no ticket)."""
    if survey.get("number"):
        return None
    return url_for("kiosk.kiosk_page", site=survey["site_slug"])


def _thanks(answer: dict[str, Any], again: str | None, back: str | None = None) -> Any:
    page = render_template(
        "feedback/thanks.html",
        answer=answer,
        again=again,
        back=back,
        referrer_policy="no-referrer",
    )
    return page, 200, PRIVATE


# --- The kiosk's "Tell us about your visit" -------------------------------------------


@bp.get("/feedback/<site>")
def kiosk_form(site: str) -> Any:
    info = services.site_info(site)
    use_language(request.args.get("lang"))
    survey = _kiosk_survey(info, site, select_language())  # the page's language
    return _form(survey, {}, url_for(".kiosk_answer", site=site, lang=request.args.get("lang")))


@bp.post("/feedback/<site>")
@limiter.limit(_kiosk_limit, methods=["POST"])
def kiosk_answer(site: str) -> Any:
    info = services.site_info(site)
    language = request.args.get("lang") or info["languages"][0]
    use_language(language)
    survey = _kiosk_survey(info, site, language)
    try:
        answer = feedback_service.answer_at_kiosk(site, _given(), language)
    except DomainError as error:
        action = url_for(".kiosk_answer", site=site, lang=request.args.get("lang"))
        return _form(survey, request.form, action, error)
    return _thanks(answer, None, _kiosk_start(survey))


def _kiosk_survey(info: dict[str, Any], site: str, language: str | None) -> dict[str, Any]:
    return {
        "site": info["name"],
        "site_slug": site,
        "number": None,
        "may_change": True,
        "question": feedback_service.site_question(site, language),
    }


@bp.errorhandler(TooManyRequests)
def too_many(_error: TooManyRequests) -> Any:
    page = render_template("feedback/ended.html", too_many=True)
    return page, 429, PRIVATE


# --- The staff inbox ------------------------------------------------------------------


@bp.get("/feedback/inbox")
def inbox() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.full_path.rstrip("?")))
    slug = request.args.get("site") or current_user.sites[0].slug
    user, site = auth.feedback_staff_for(slug)
    only = request.args.get("show") if request.args.get("show") in FILTERS else None
    rating = request.args.get("rating") or None
    return render_template(
        "feedback/inbox.html",
        site=site,
        user=user,
        inbox=feedback_service.inbox(site.slug, only=only, rating=rating),
        summary=feedback_service.feedback_summary(site.slug),
        ratings=dict(_ratings()),
        show=only,
        rating=rating,
        filters=FILTERS,
    )


@bp.post("/feedback/inbox/<site>/cases/<int:answer_id>/<step>")
def work_case(site: str, answer_id: int, step: str) -> Any:
    user, _site = auth.feedback_staff_for(site)
    actor = services.Actor.staff(user, request.remote_addr)
    text = request.form.get("text", "")
    if step == "acknowledge":
        feedback_service.acknowledge_case(site, answer_id, actor)
    elif step == "action":
        feedback_service.record_action(site, answer_id, text, actor)
    elif step == "reply":
        _flash_reply(feedback_service.reply_to_patient(site, answer_id, text, actor))
    elif step == "retry":
        _flash_reply(feedback_service.retry_reply(site, answer_id, actor))
    else:
        return render_template("desk/refused.html", message=_("Unknown step.")), 404
    if step not in ("reply", "retry"):
        flash(_("Saved."))
    return redirect(url_for(".inbox", site=site) + f"#case-{answer_id}")


def _flash_reply(status: rules.ReplyStatus) -> None:
    """What became of a reply just sent: it went, it is on its way (a text), or it
    failed and is kept for sending again (the case says why)."""
    if status is rules.ReplyStatus.SENT:
        flash(_("Reply sent."))
    elif status is rules.ReplyStatus.FAILED:
        flash(_("The reply could not be sent. It is kept: you can send it again."))
    else:
        flash(_("Reply saved. It is being sent."))


@bp.post("/feedback/inbox/<site>/statements")
def add_statement(site: str) -> Any:
    user, _site = auth.feedback_staff_for(site)
    actor = services.Actor.staff(user, request.remote_addr)
    answer_id = request.form.get("answer", type=int)
    feedback_service.add_statement(site, request.form.get("text", ""), actor, answer_id=answer_id)
    flash(_("Statement saved. Publish it to show it on the screens."))
    return redirect(url_for(".inbox", site=site) + "#statements")


@bp.post("/feedback/inbox/<site>/statements/<int:statement_id>/<action>")
def publish_statement(site: str, statement_id: int, action: str) -> Any:
    user, _site = auth.feedback_staff_for(site)
    actor = services.Actor.staff(user, request.remote_addr)
    if action not in ("publish", "withdraw"):
        return render_template("desk/refused.html", message=_("Unknown step.")), 404
    feedback_service.set_statement_published(site, statement_id, action == "publish", actor)
    flash(_("Published.") if action == "publish" else _("Withdrawn."))
    return redirect(url_for(".inbox", site=site) + "#statements")


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> Any:
    """A step the rules refuse (or a reply that could not be sent): say why, change nothing."""
    return render_template("feedback/refused.html", message=error.message), error.status
