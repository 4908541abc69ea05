"""One function per use case. Each loads, applies the domain rule, commits, publishes.

Transports (the API, socket handlers, the CLI and the pages) call only these.
"""

from server.services.accounts import (
    add_user,
    authenticate,
    disable_user,
    generate_password,
    refuse_login,
)
from server.services.accuracy import accuracy_report
from server.services.audit import Actor, acting_from, audit_csv, verify_audit_chain
from server.services.checkin import (
    CheckIn,
    check_in_appointment,
    check_in_walk_in,
    kiosk_setup,
    lookup_appointment,
)
from server.services.needs import interpreter_requests, phone_call_style
from server.services.notices import (
    clear_notice,
    delay_reason_choices,
    pause_room,
    post_notice,
    resume_room,
)
from server.services.reports import report
from server.services.retention import Removal, purge_personal_data
from server.services.sites import appointments_text, import_appointments, load_site
from server.services.snapshots import (
    audit_log,
    display_setup,
    display_snapshot,
    presence_update,
    site_info,
    sole_site,
    staff_snapshot,
)
from server.services.sso import (
    Identity,
    LocalPasswordsOff,
    SignInRefused,
    local_passwords_allowed,
    refuse_if_local_passwords_off,
    sign_in_account,
)
from server.services.sso import refuse as refuse_sign_in
from server.services.staff_sessions import (
    end_staff_session,
    staff_session_in_use,
    start_staff_session,
    sweep_staff_sessions,
)
from server.services.tickets import (
    call_next,
    call_ticket,
    cancel,
    cancel_by_patient,
    complete,
    mark_no_show,
    recall,
    return_to_queue,
    set_priority,
    start_service,
    ticket_id_for_token,
    ticket_status,
    transfer,
)
from server.services.ticks import refresh_estimates, site_slugs
from server.services.wayfinding import (
    floor_plan_image,
    list_destinations,
    room_hint,
    room_hints,
    route_between,
    route_for_ticket,
    waiting_area_for,
)

__all__ = [
    "Actor",
    "CheckIn",
    "Identity",
    "LocalPasswordsOff",
    "Removal",
    "SignInRefused",
    "accuracy_report",
    "acting_from",
    "add_user",
    "appointments_text",
    "audit_csv",
    "audit_log",
    "authenticate",
    "call_next",
    "call_ticket",
    "cancel",
    "cancel_by_patient",
    "check_in_appointment",
    "check_in_walk_in",
    "clear_notice",
    "complete",
    "delay_reason_choices",
    "disable_user",
    "display_setup",
    "display_snapshot",
    "end_staff_session",
    "floor_plan_image",
    "generate_password",
    "import_appointments",
    "interpreter_requests",
    "kiosk_setup",
    "list_destinations",
    "load_site",
    "local_passwords_allowed",
    "lookup_appointment",
    "mark_no_show",
    "pause_room",
    "phone_call_style",
    "post_notice",
    "presence_update",
    "purge_personal_data",
    "recall",
    "refresh_estimates",
    "refuse_if_local_passwords_off",
    "refuse_login",
    "refuse_sign_in",
    "report",
    "resume_room",
    "return_to_queue",
    "room_hint",
    "room_hints",
    "route_between",
    "route_for_ticket",
    "set_priority",
    "sign_in_account",
    "site_info",
    "site_slugs",
    "sole_site",
    "staff_session_in_use",
    "staff_snapshot",
    "start_service",
    "start_staff_session",
    "sweep_staff_sessions",
    "ticket_id_for_token",
    "ticket_status",
    "transfer",
    "verify_audit_chain",
    "waiting_area_for",
]
