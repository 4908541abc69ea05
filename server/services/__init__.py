"""One function per use case. Each loads, applies the domain rule, commits, publishes.

Transports (the API, socket handlers, the CLI and the pages) call only these.
"""

from server.services.accounts import add_user, authenticate, generate_password
from server.services.checkin import CheckIn, check_in_appointment, check_in_walk_in
from server.services.notices import clear_notice, pause_room, post_notice, resume_room
from server.services.sites import import_appointments, load_site
from server.services.snapshots import audit_log, display_snapshot, site_info, staff_snapshot
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

__all__ = [
    "CheckIn",
    "add_user",
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
    "display_snapshot",
    "generate_password",
    "import_appointments",
    "load_site",
    "mark_no_show",
    "pause_room",
    "post_notice",
    "recall",
    "resume_room",
    "return_to_queue",
    "set_priority",
    "site_info",
    "staff_snapshot",
    "start_service",
    "ticket_id_for_token",
    "ticket_status",
    "transfer",
]
