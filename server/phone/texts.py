"""The words phone.js puts on the page as the ticket changes, in the page's language.

Placeholders in braces ({position}) are filled in by phone.js.
"""

from __future__ import annotations

from flask_babel import gettext as _

from server.i18n import text_me_texts


def phone_texts() -> dict[str, str]:
    return {
        **text_me_texts(),
        "place": _("You are number {position} in line."),
        "place_next": _("You are next in line."),
        "estimate": _("Estimated wait: about {central} min ({low} to {high} min)."),
        "estimate_next": _("Estimated wait: up to {high} min."),
        "called": _("It's your turn: go to {room}"),
        "called_hint": _("Please go there now."),
        "in_service": _("Your visit has started."),
        "no_show": _(
            "You were called, but the clinic could not find you. Please see the front desk."
        ),
        "done": _("Your visit is over. Thank you for coming."),
        "left": _("You have left the queue. You can close this page."),
        "cancelled": _(
            "This ticket was cancelled. If you did not expect this, please see the front desk."
        ),
        "ended": _("This ticket is no longer active."),
        "notice": _("Delay of about {minutes} min: {reason}"),
        # Staff's own words, shown as typed: the quotation marks say they are the clinic's.
        "notice_note": _("Note from the clinic: “{note}”"),
        "live": _("This page updates by itself."),
        "reconnecting": _("Reconnecting… What you see may be out of date."),
        "leave_failed": _(
            "You could not leave the queue. Please try again, or see the front desk."
        ),
        # Spoken to a patient who may not see the screen (phone/call-alert.js).
        "spoken_call": _("Number {number}, it's your turn. Please go to {room}."),
        "speech_on": _("Your phone will read your call aloud."),
        "way_title": _("The way to {place}"),
        "way_floor": _("Floor: {floor}"),
        "step_free_on": _("Step-free route: no stairs or escalators"),
        # A ticket that joined from home (server/domain/remote.py).
        "leave_by": _("Leave by {time}."),
        "come_now": _("Please come now."),
        "you_are_next": _("You are next: please come now."),
        # "Use my location" for "I'm here" (phone.js): asked only after the tap.
        "location_finding": _("Finding where you are…"),
        "location_refused": _(
            "Your phone did not share where you are. Please type the code instead."
        ),
        # "Notify me on this phone" (phone/push.js).
        "push_on": _("Alerts are on for this phone."),
        "push_off": _("Alerts are off."),
        "push_denied": _(
            "Your phone blocks alerts from this page. You can allow them in the settings."
        ),
        "push_failed": _("That did not work. Please try again."),
        "no_step_free_route": _(
            "There is no step-free way to this room. Please ask a member of staff for help."
        ),
    }
