"""API routes: parse, call one service, answer. Rules live in the services."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask_login import current_user

from server import auth, guesses, services
from server.api import bp, schemas
from server.api.errors import BadRequest
from server.api.spec import endpoint, openapi_document
from server.domain.errors import NotFound
from server.notify.twilio_signature import signed_by_twilio
from server.services.sites import AppointmentFileError
from server.storage.models import User

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _checkin_limit() -> str:
    return str(current_app.config["CHECKIN_RATE_LIMIT"])


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document(bp.url_prefix or ""))


# --- Staff sessions ---------------------------------------------------------------


@endpoint(
    bp,
    "/login",
    "POST",
    summary="Log in as staff",
    description="Refused with 403 local_passwords_off when the server allows only "
    "hospital sign-in (LOCAL_PASSWORDS=off; README, Hospital sign-in).",
    tag="staff",
    body=schemas.Login,
    guard=guesses.password_guesses,
)
def login(body: schemas.Login) -> Any:
    services.refuse_if_local_passwords_off(body.username, request.remote_addr)
    user = services.authenticate(body.username, body.password, request.remote_addr)
    if user is None:
        raise auth.NotLoggedIn("The username or password is not right.")
    if user.must_change_password:
        # A temporary password signs in only to choose a new one, on the login page.
        raise auth.Forbidden(
            "Choose a new password on the login page first.", code="password_change_required"
        )
    if user.totp_enabled and not services.check_second_factor(
        user, body.code or "", request.remote_addr
    ):
        raise auth.NotLoggedIn("Give the code from your authenticator app.", code="code_required")
    auth.start_session(user)
    return jsonify(_me(user))


@endpoint(bp, "/logout", "POST", summary="Log out", tag="staff", body=schemas.Empty)
def logout(body: schemas.Empty) -> Any:
    auth.end_session()
    return jsonify(ok=True)


@endpoint(bp, "/me", "GET", summary="The logged-in staff account (401 if none)", tag="staff")
def me() -> Any:
    if not current_user.is_authenticated:
        raise auth.NotLoggedIn("Please log in as staff.")
    return jsonify(_me(current_user))


def _me(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "sites": [s.slug for s in user.sites],
        "roles": {s.slug: user.role_on(s) for s in user.sites},  # a role may differ per site
    }


# --- Kiosk and phone (no login) ---------------------------------------------------


@endpoint(bp, "/sites/<site>", "GET", summary="A site's public facts and services", tag="kiosk")
def site_info(site: str) -> Any:
    return jsonify(services.site_info(site))


@endpoint(
    bp,
    "/sites/<site>/checkins/walk-in",
    "POST",
    summary="Check in as a walk-in",
    tag="kiosk",
    body=schemas.WalkIn,
    status=201,
    rate_limit=_checkin_limit,
)
def check_in_walk_in(site: str, body: schemas.WalkIn) -> Any:
    result = services.check_in_walk_in(
        site, body.service, language=body.language, step_free=body.step_free, needs=body.needs
    )
    return _checked_in(result)


@endpoint(
    bp,
    "/sites/<site>/checkins/appointment",
    "POST",
    summary="Check in for an appointment",
    tag="kiosk",
    body=schemas.AppointmentCheckIn,
    status=201,
    guard=guesses.appointment_guesses,
)
def check_in_appointment(site: str, body: schemas.AppointmentCheckIn) -> Any:
    result = services.check_in_appointment(
        site,
        code=body.code,
        last_name=body.last_name,
        date_of_birth=body.date_of_birth,
        language=body.language,
        step_free=body.step_free,
        needs=body.needs,
    )
    return _checked_in(result)


@endpoint(
    bp,
    "/sites/<site>/appointments/lookup",
    "POST",
    summary="Find an appointment for the patient to confirm: first name, time, service",
    tag="kiosk",
    body=schemas.AppointmentLookup,
    guard=guesses.appointment_guesses,
)
def look_up_appointment(site: str, body: schemas.AppointmentLookup) -> Any:
    return jsonify(
        services.lookup_appointment(
            site, code=body.code, last_name=body.last_name, date_of_birth=body.date_of_birth
        )
    )


def _remote_join_limit() -> str:
    return str(current_app.config["REMOTE_JOIN_RATE_LIMIT"])


@endpoint(
    bp,
    "/sites/<site>/join",
    "GET",
    summary="What the public join page shows: the services that take remote tickets, their"
    " wait, today's hours, when joining closes, and the desk's pause reason",
    tag="kiosk",
)
def join_page(site: str) -> Any:
    return jsonify(services.join_page(site))


@endpoint(
    bp,
    "/sites/<site>/checkins/remote",
    "POST",
    summary="Join a line from home (422 remote_not_offered, remote_closed, remote_paused,"
    " remote_full, number_has_ticket); the ticket is called once the patient says"
    ' "I\'m here"',
    tag="kiosk",
    body=schemas.RemoteJoin,
    status=201,
    rate_limit=_remote_join_limit,
)
def join_remotely(site: str, body: schemas.RemoteJoin) -> Any:
    result = services.join_remotely(
        site,
        body.service,
        language=body.language,
        travel_minutes=body.travel_minutes,
        mobile=body.mobile,
        consent=body.consent,
    )
    return _checked_in(result)


@endpoint(
    bp,
    "/sites/<site>/arrivals/kiosk",
    "POST",
    summary='The kiosk\'s "I joined online": a remote ticket, found by its exact number or'
    " by the mobile number it joined with, is marked arrived (400 invalid_ticket_number,"
    " invalid_phone_number; 404 remote_ticket_not_found, the same for any ticket not"
    " matched here; 409 not_remote, already_arrived, already_called, ticket_ended; 429"
    " after too many refused tries per address or site). Answers the ticket as its page"
    " shows it, and its waiting area; never its token.",
    tag="kiosk",
    body=schemas.KioskArrival,
    guard=guesses.arrival_guesses,
)
def arrive_at_kiosk(site: str, body: schemas.KioskArrival) -> Any:
    return jsonify(
        services.arrive_at_kiosk(site, ticket_number=body.ticket_number, mobile=body.mobile)
    )


def _checked_in(result: services.CheckIn) -> Any:
    return jsonify(
        token=result.token,
        status_url=url_for("api.ticket_status", token=result.token, _external=False),
        seq=result.seq,
        ticket=result.ticket,
        waiting_area=result.waiting_area,
    ), 201


@endpoint(bp, "/tickets/<token>", "GET", summary="A ticket's status, by its token", tag="phone")
def ticket_status(token: str) -> Any:
    return jsonify(services.ticket_status(token))


@endpoint(
    bp,
    "/tickets/<token>/cancel",
    "POST",
    summary="The patient leaves the queue",
    tag="phone",
    body=schemas.Empty,
)
def cancel_own_ticket(token: str, body: schemas.Empty) -> Any:
    return jsonify(services.cancel_by_patient(token))


@endpoint(
    bp,
    "/tickets/<token>/texts",
    "POST",
    summary="The patient asks for text messages about their turn (404 texts_not_offered"
    " when the server sends none; 400 invalid_phone_number, consent_required)",
    tag="phone",
    body=schemas.TextsRequest,
)
def ask_for_texts(token: str, body: schemas.TextsRequest) -> Any:
    return jsonify(services.add_number_by_patient(token, body.number, consent=body.consent))


@endpoint(
    bp,
    "/tickets/<token>/arrive",
    "POST",
    summary="\"I'm here\": a remote ticket's patient types the site's arrival code, or taps"
    " the page the arrival poster opened (its key) (400 wrong_arrival_code; 409 not_remote)",
    tag="phone",
    body=schemas.Arrival,
    rate_limit=_remote_join_limit,
)
def arrive(token: str, body: schemas.Arrival) -> Any:
    return jsonify(services.arrive_by_patient(token, body.code, key=body.key))


@endpoint(
    bp,
    "/tickets/<token>/arrive/location",
    "POST",
    summary="\"I'm here\" by the phone's location, within the site's radius; never stored"
    " (400 not_at_site, invalid_location; 422 location_not_offered; 409 not_remote)",
    tag="phone",
    body=schemas.ArrivalPlace,
    rate_limit=_remote_join_limit,
)
def arrive_by_location(token: str, body: schemas.ArrivalPlace) -> Any:
    return jsonify(services.arrive_by_location(token, body.latitude, body.longitude, body.accuracy))


@endpoint(
    bp,
    "/tickets/<token>/push",
    "POST",
    summary="The patient's phone asks for notifications (Web Push): the browser's"
    " subscription, kept with the ticket until the visit ends; a new one replaces the old"
    " (404 push_not_offered without VAPID keys; 400 invalid_subscription; 409 ticket_ended)",
    tag="phone",
    body=schemas.PushRequest,
)
def ask_for_push(token: str, body: schemas.PushRequest) -> Any:
    return jsonify(services.subscribe(token, body.endpoint, body.keys.p256dh, body.keys.auth))


@endpoint(
    bp,
    "/tickets/<token>/push/remove",
    "POST",
    summary="The patient turns notifications off: the subscription is deleted",
    tag="phone",
    body=schemas.Empty,
)
def stop_push(token: str, body: schemas.Empty) -> Any:
    return jsonify(services.unsubscribe(token))


@endpoint(
    bp,
    "/tickets/<token>/route",
    "GET",
    summary="A called ticket's way from its waiting area to its room, in its language and"
    " route mode (409 not_called until it is called)",
    tag="phone",
)
def ticket_route(token: str) -> Any:
    return jsonify(services.route_for_ticket(token))


# --- Wayfinding (no login) ---------------------------------------------------------


@endpoint(
    bp,
    "/sites/<site>/destinations",
    "GET",
    summary="The places the map shows the way to (?lang=)",
    tag="wayfinding",
    query=schemas.DestinationsQuery,
)
def destinations(site: str, query: schemas.DestinationsQuery) -> Any:
    return jsonify(services.list_destinations(site, query.lang))


@endpoint(
    bp,
    "/sites/<site>/route",
    "GET",
    summary="The way from a kiosk or place to a destination: steps, walking time and a"
    " drawing per floor (?from=&to=&mode=shortest|step_free&lang=)",
    tag="wayfinding",
    query=schemas.RouteQuery,
)
def route(site: str, query: schemas.RouteQuery) -> Any:
    return jsonify(services.route_between(site, query.start, query.to, query.mode, query.lang))


# --- Front desk -------------------------------------------------------------------


@endpoint(
    bp, "/sites/<site>/queue", "GET", summary="Everything staff see", tag="desk", access="staff"
)
def staff_queue(site: str, user: User) -> Any:
    return jsonify(services.staff_snapshot(site))


@endpoint(
    bp,
    "/sites/<site>/interpreters",
    "GET",
    summary="Today's interpreter requests per language, to book interpreters early",
    tag="desk",
    access="staff",
)
def interpreter_requests(site: str, user: User) -> Any:
    return jsonify(services.interpreter_requests(site))


@endpoint(
    bp,
    "/sites/<site>/tickets",
    "POST",
    summary="Add a patient by hand",
    tag="desk",
    access="staff",
    body=schemas.DeskAdd,
    status=201,
)
def add_patient(site: str, user: User, body: schemas.DeskAdd) -> Any:
    result = services.check_in_walk_in(
        site,
        body.service,
        language=body.language,
        patient_name=body.patient_name,
        step_free=body.step_free,
        needs=body.needs,
        actor_id=user.id,
    )
    return _checked_in(result)


ONE_PATIENT_PER_ROOM = (
    "A room holds one patient at a time. Its patient in service is done (completed) by"
    " the call, in the same change. While its patient was called and has not started,"
    " the call is refused with 409 `room_occupied` (`details`: that ticket's `ticket`,"
    " `number` and `room`) and nothing changes, unless `previous` says what became of"
    " them: `no_show`, or `return` (back of the line); they are resolved, then the call"
    " is made, in one change. A recall is not a call and is always allowed."
)


@endpoint(
    bp,
    "/sites/<site>/rooms/<room>/call-next",
    "POST",
    summary="Call the next patient to a room",
    tag="desk",
    access="staff",
    body=schemas.CallNext,
    description=ONE_PATIENT_PER_ROOM,
)
def call_next(site: str, room: str, user: User, body: schemas.CallNext) -> Any:
    return jsonify(services.call_next(site, room, actor_id=user.id, previous=body.previous))


@endpoint(
    bp,
    "/sites/<site>/rooms/<room>/pause",
    "POST",
    summary="Pause a room",
    tag="desk",
    access="staff",
    body=schemas.Empty,
)
def pause_room(site: str, room: str, user: User, body: schemas.Empty) -> Any:
    return jsonify(services.pause_room(site, room, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/rooms/<room>/resume",
    "POST",
    summary="Resume a paused room",
    tag="desk",
    access="staff",
    body=schemas.Empty,
)
def resume_room(site: str, room: str, user: User, body: schemas.Empty) -> Any:
    return jsonify(services.resume_room(site, room, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/tickets/<id:ticket_id>/call",
    "POST",
    summary="Call a ticket out of turn",
    tag="desk",
    access="staff",
    body=schemas.CallTicket,
    description=ONE_PATIENT_PER_ROOM,
)
def call_ticket(site: str, ticket_id: int, user: User, body: schemas.CallTicket) -> Any:
    return jsonify(
        services.call_ticket(site, ticket_id, body.room, actor_id=user.id, previous=body.previous)
    )


def _ticket_action(name: str, summary: str, action: Any) -> None:
    """Routes for the actions that take only the ticket: recall, start, complete, ..."""

    def view(site: str, ticket_id: int, user: User, body: schemas.Empty) -> Any:
        return jsonify(action(site, ticket_id, actor_id=user.id))

    view.__name__ = name.replace("-", "_")
    endpoint(
        bp,
        f"/sites/<site>/tickets/<id:ticket_id>/{name}",
        "POST",
        summary=summary,
        tag="desk",
        access="staff",
        body=schemas.Empty,
    )(view)


_ticket_action("recall", "Announce a called ticket again", services.recall)
_ticket_action("start", "The patient is in the room", services.start_service)
_ticket_action("complete", "The visit is over", services.complete)
_ticket_action("no-show", "The called patient did not come", services.mark_no_show)
_ticket_action("return", "Return a no-show to the queue", services.return_to_queue)
_ticket_action("cancel", "Take a ticket out of the queue", services.cancel)


@endpoint(
    bp,
    "/sites/<site>/tickets/<id:ticket_id>/arrive",
    "POST",
    summary="A remote ticket's patient has come in: it may be called",
    tag="desk",
    access="staff",
    body=schemas.Empty,
)
def mark_arrived(site: str, ticket_id: int, user: User, body: schemas.Empty) -> Any:
    return jsonify(services.arrive_by_staff(site, ticket_id, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/remote/pause",
    "POST",
    summary="Pause joining from home, with the reason the join page shows",
    tag="desk",
    access="staff",
    body=schemas.RemotePause,
)
def pause_remote(site: str, user: User, body: schemas.RemotePause) -> Any:
    return jsonify(services.pause_remote_joining(site, body.reason, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/remote/resume",
    "POST",
    summary="Resume joining from home",
    tag="desk",
    access="staff",
    body=schemas.Empty,
)
def resume_remote(site: str, user: User, body: schemas.Empty) -> Any:
    return jsonify(services.resume_remote_joining(site, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/tickets/<id:ticket_id>/texts",
    "POST",
    summary="Add (or replace) a patient's number for text messages; the answer and the"
    " desk show only its last two digits",
    tag="desk",
    access="staff",
    body=schemas.DeskNumber,
)
def add_texts(site: str, ticket_id: int, user: User, body: schemas.DeskNumber) -> Any:
    return jsonify(services.add_number_by_staff(site, ticket_id, body.number, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/tickets/<id:ticket_id>/texts/remove",
    "POST",
    summary="Remove a patient's number: no more text messages",
    tag="desk",
    access="staff",
    body=schemas.Empty,
)
def remove_texts(site: str, ticket_id: int, user: User, body: schemas.Empty) -> Any:
    return jsonify(services.remove_number(site, ticket_id, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/tickets/<id:ticket_id>/message",
    "POST",
    summary="Text one patient a message the desk types (at most 160 characters, logged)",
    tag="desk",
    access="staff",
    body=schemas.DeskMessage,
)
def message_patient(site: str, ticket_id: int, user: User, body: schemas.DeskMessage) -> Any:
    return jsonify(services.message_patient(site, ticket_id, body.text, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/texts/inbound",
    "POST",
    summary="Twilio's incoming-message webhook: a patient's reply to our texts (a form"
    " with From and Body, signed in X-Twilio-Signature with TWILIO_AUTH_TOKEN; 403"
    " bad_signature changes nothing). Keywords: STATUS, LEAVE then YES, STOP, HELP, LATE;"
    " answers go out as texts. Answers an empty TwiML document.",
    tag="phone",
)
def inbound_text(site: str) -> Any:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    if not token or not services.texts_offered():
        raise NotFound("Replies to texts are not taken here.", code="replies_not_taken")
    params = list(request.form.items(multi=True))
    if not signed_by_twilio(
        token, _urls_twilio_may_sign(), params, request.headers.get("X-Twilio-Signature", "")
    ):
        raise auth.Forbidden("The request is not signed by the provider.", code="bad_signature")
    services.receive_text(site, request.form.get("From", ""), request.form.get("Body", ""))
    return Response(EMPTY_TWIML, mimetype="text/xml")


@endpoint(
    bp,
    "/sites/<site>/texts/inbound/json",
    "POST",
    summary="A hospital's own SMS gateway posts a patient's reply to our texts"
    ' ({sender, text}, with "Authorization: Bearer SMS_INBOUND_TOKEN"; 403 bad_token'
    " changes nothing). The same keywords and answers as Twilio's webhook.",
    tag="phone",
    body=schemas.InboundText,
)
def inbound_text_from_gateway(site: str, body: schemas.InboundText) -> Any:
    secret = current_app.config.get("SMS_INBOUND_TOKEN")
    if not secret or not services.texts_offered():
        raise NotFound("Replies to texts are not taken here.", code="replies_not_taken")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise auth.Forbidden("The gateway's token is not right.", code="bad_token")
    services.receive_text(site, body.sender, body.text)
    return jsonify(ok=True)


def _urls_twilio_may_sign() -> list[str]:
    """The URL this server saw, and the same path under PUBLIC_URL (a proxy in front of
    us may have been sent https://clinic.example/... and passed on http://...)."""
    urls = [request.url]
    public = current_app.config.get("PUBLIC_URL")
    if public:
        urls.append(public.rstrip("/") + request.full_path.rstrip("?"))
    return urls


@endpoint(
    bp,
    "/sites/<site>/tickets/<id:ticket_id>/transfer",
    "POST",
    summary="Send a ticket to another service, keeping its place",
    tag="desk",
    access="staff",
    body=schemas.Transfer,
)
def transfer(site: str, ticket_id: int, user: User, body: schemas.Transfer) -> Any:
    return jsonify(services.transfer(site, ticket_id, body.service, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/tickets/<id:ticket_id>/priority",
    "POST",
    summary="Set a ticket's priority",
    tag="desk",
    access="staff",
    body=schemas.Priority,
)
def set_priority(site: str, ticket_id: int, user: User, body: schemas.Priority) -> Any:
    return jsonify(services.set_priority(site, ticket_id, body.level, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/notices",
    "POST",
    summary="Post a delay notice",
    tag="desk",
    access="staff",
    body=schemas.Notice,
    status=201,
    also=(200,),
    description="201: a new notice. 200: the notice already posted for the same place "
    "(scope and target) was updated: its length, its reason and its note.",
)
def post_notice(site: str, user: User, body: schemas.Notice) -> Any:
    result = services.post_notice(
        site,
        scope=body.scope,
        target=body.target,
        reason_code=body.reason_code,
        note=body.note_text,
        expected_minutes=body.expected_minutes,
        actor_id=user.id,
    )
    return jsonify(result), 200 if result["updated"] else 201


@endpoint(
    bp,
    "/sites/<site>/notices/<id:notice_id>/clear",
    "POST",
    summary="Clear a delay notice",
    tag="desk",
    access="staff",
    body=schemas.Empty,
)
def clear_notice(site: str, notice_id: int, user: User, body: schemas.Empty) -> Any:
    return jsonify(services.clear_notice(site, notice_id, actor_id=user.id))


@endpoint(
    bp,
    "/sites/<site>/accuracy",
    "GET",
    summary="How accurate the wait estimates shown to patients were (today, or ?date=)",
    tag="desk",
    access="staff",
    query=schemas.DayQuery,
)
def estimate_accuracy(site: str, user: User, query: schemas.DayQuery) -> Any:
    return jsonify(services.accuracy_report(site, query.date))


@endpoint(
    bp,
    "/sites/<site>/reports",
    "GET",
    summary="The manager's report: visits, waits, flow, promises and patients' voice "
    "over days (?from=&to=)",
    tag="reports",
    access="manager",
    query=schemas.ReportQuery,
)
def site_report(site: str, user: User, query: schemas.ReportQuery) -> Any:
    return jsonify(
        services.report(
            site, query.first_day, query.last_day, service=query.service, room=query.room
        )
    )


# --- Administration ---------------------------------------------------------------


@endpoint(
    bp,
    "/sites/<site>/appointments",
    "POST",
    summary="Import appointments from CSV",
    tag="admin",
    access="admin",
    body_media="text/csv",
    query=schemas.DayQuery,
)
def import_appointments(site: str, user: User, query: schemas.DayQuery) -> Any:
    if request.mimetype != "text/csv":
        raise BadRequest("Send the appointments as text/csv.")
    try:
        text = services.appointments_text(request.get_data())
        actor = services.Actor.staff(user, request.remote_addr)
        return jsonify(services.import_appointments(site, text, query.date, actor=actor))
    except AppointmentFileError as error:
        raise BadRequest(str(error)) from None


@endpoint(
    bp,
    "/sites/<site>/audit",
    "GET",
    summary="The audit log, newest first",
    tag="admin",
    access="admin",
    query=schemas.AuditQuery,
)
def audit_log(site: str, user: User, query: schemas.AuditQuery) -> Any:
    return jsonify(entries=services.audit_log(site, query.limit))


@endpoint(
    bp,
    "/sites/<site>/feedback/summary",
    "GET",
    summary="Feedback figures per service and week, and by wait band (?weeks=, default 8):"
    " responses, response rate, % positive (Very good + Good), % negative (Poor + Very poor)",
    tag="feedback",
    access="feedback",
    query=schemas.FeedbackSummaryQuery,
)
def feedback_summary(site: str, user: User, query: schemas.FeedbackSummaryQuery) -> Any:
    return jsonify(services.feedback_summary(site, query.weeks))


@endpoint(
    bp,
    "/sites/<site>/audit.csv",
    "GET",
    summary="The site's audit log as CSV, oldest first (?from=&to=, days, both included)",
    tag="admin",
    access="admin",
    query=schemas.AuditExportQuery,
)
def audit_csv(site: str, user: User, query: schemas.AuditExportQuery) -> Any:
    # Built whole, not streamed: on SQLite a read held open for a download would hold
    # the write lock (BEGIN IMMEDIATE) for as long.
    text = "".join(services.audit_csv(site, query.first_day, query.last_day))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{site}.csv"'},
    )
