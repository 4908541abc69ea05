"""The words desk.js writes into the console, in the page's language.

They are translated here, on the server, and handed to the page as JSON, so the
console's script holds no text of its own. `{name}` placeholders are filled in by
desk.js.
"""

from __future__ import annotations

from flask_babel import gettext


def console_strings() -> dict[str, str]:
    return {
        **_actions(),
        **_feedback(),
        **_tickets(),
        **_notices(),
        **_devices(),
        **_accuracy(),
        **_needs(),
        **_texts(),
    }


def _actions() -> dict[str, str]:
    return {
        "call_here": gettext("Call now"),
        "priority": gettext("Priority…"),
        "transfer": gettext("Transfer…"),
        "cancel": gettext("Cancel…"),
        "recall": gettext("Recall"),
        "start": gettext("Start"),
        "complete": gettext("Complete"),
        "no_show": gettext("No-show"),
        "return": gettext("Back to queue"),
        "pause": gettext("Pause room"),
        "resume": gettext("Resume room"),
        "clear": gettext("Clear"),
        "arrive": gettext("Here now"),
    }


def _feedback() -> dict[str, str]:
    return {
        "called": gettext("Called %(number)s to %(room)s.", number="{number}", room="{room}"),
        "recalled": gettext("Called %(number)s again.", number="{number}"),
        "started": gettext("%(number)s is in the room.", number="{number}"),
        "completed": gettext("%(number)s is done.", number="{number}"),
        "no_showed": gettext("%(number)s is marked as a no-show.", number="{number}"),
        "returned": gettext("%(number)s is back in the queue.", number="{number}"),
        "cancelled": gettext("%(number)s is cancelled.", number="{number}"),
        "arrived": gettext("%(number)s is here.", number="{number}"),
        "remote_paused": gettext("Joining from home is paused."),
        "remote_resumed": gettext("Joining from home is open again."),
        "remote_paused_because": gettext("Paused: %(reason)s", reason="{reason}"),
        "remote_open": gettext("Open"),
        "transferred": gettext(
            "%(number)s is now waiting for %(service)s.", number="{number}", service="{service}"
        ),
        "prioritised": gettext(
            "%(number)s now has priority: %(level)s.", number="{number}", level="{level}"
        ),
        "paused": gettext("%(room)s is paused.", room="{room}"),
        "resumed": gettext("%(room)s is open again.", room="{room}"),
        "added": gettext("Added %(number)s.", number="{number}"),
        "notice_posted": gettext("The delay notice is posted."),
        "notice_updated": gettext("The delay notice posted there is updated."),
        "notice_cleared": gettext("The delay notice is cleared."),
        "network_error": gettext("The server cannot be reached. Try again in a moment."),
        "failed": gettext("That did not work. Try again."),
    }


def _tickets() -> dict[str, str]:
    return {
        "nobody_waiting": gettext("Nobody is waiting for this room."),
        "nobody_called": gettext("Nobody is called to this room."),
        "room_paused": gettext("This room is paused: resume it to call patients."),
        "occupied_title": gettext("%(number)s was called and has not come", number="{number}"),
        "called_at": gettext("Called at %(time)s", time="{time}"),
        "in_room_since": gettext("In the room since %(time)s", time="{time}"),
        "recalls": gettext("recalls: %(count)s", count="{count}"),
        "no_show_at": gettext("Did not come (called at %(time)s)", time="{time}"),
        "appointment_at": gettext("appointment at %(time)s", time="{time}"),
        "minutes": gettext("%(minutes)s min", minutes="{minutes}"),
        "estimate": gettext(
            "about %(central)s min (%(low)s to %(high)s)",
            central="{central}",
            low="{low}",
            high="{high}",
        ),
        "next": gettext("next"),
        # A ticket that joined from home and has not come in yet (domain/remote.py).
        "not_here": gettext("not here yet, expected %(time)s", time="{time}"),
        "held": gettext("its turn came: not here yet"),
        "no_name": gettext("no name given"),
        "paused_option": gettext("%(room)s (paused)", room="{room}"),
        "priority_0": gettext("Normal"),
        "priority_1": gettext("Raised"),
        "priority_2": gettext("High"),
        "priority_3": gettext("Urgent"),
        "priority_title": gettext("Priority for %(number)s", number="{number}"),
        "transfer_title": gettext("Transfer %(number)s", number="{number}"),
        "cancel_title": gettext("Cancel %(number)s?", number="{number}"),
    }


def _notices() -> dict[str, str]:
    return {
        "notice_site": gettext("Whole site"),
        "notice_line": gettext(
            "%(target)s: %(reason)s (about %(minutes)s min)",
            target="{target}",
            reason="{reason}",
            minutes="{minutes}",
        ),
        "posted_at": gettext("posted at %(time)s", time="{time}"),
        "notice_note": gettext("Note from the clinic: “%(note)s”", note="{note}"),
    }


def _devices() -> dict[str, str]:
    return {
        "kind_display": gettext("Display"),
        "kind_kiosk": gettext("Kiosk"),
        "kind_unknown": gettext("Unnamed screen"),
        "unnamed": gettext("code %(code)s, not in the site file", code="{code}"),
        "no_code": gettext("no device code"),
        "connected_since": gettext("Connected since %(time)s", time="{time}"),
        "not_connected": gettext("Not connected"),
        "no_devices": gettext("No kiosk or display is set up or connected."),
    }


def _accuracy() -> dict[str, str]:
    return {
        "accuracy": gettext(
            "%(share)s%% of estimates within 10 minutes, %(coverage)s%% inside the range "
            "shown (%(patients)s patients called so far).",
            share="{share}",
            coverage="{coverage}",
            patients="{patients}",
        ),
        "accuracy_none": gettext("Nobody with an estimate has been called yet today."),
        "step_free": gettext("♿ step-free"),
        # A ticket's texts: only the number's last two digits are ever shown.
        "texts_on": gettext("texts on (…%(digits)s)", digits="{digits}"),
        "text_failed": gettext("text failed (…%(digits)s)", digits="{digits}"),
        # A ticket's Web Push: alerts on the patient's phone, and whether the last went out.
        "alerts_on": gettext("alerts on"),
        "alert_failed": gettext("alert failed"),
    }


def _needs() -> dict[str, str]:
    """What patients asked for at check-in (static/js/desk/needs.js)."""
    return {
        "need_interpreter": gettext("Interpreter: %(language)s", language="{language}"),
        "need_in_person": gettext("Call in person"),
        "need_may_not_see": gettext("May not see the screen"),
        "fetch_in_person": gettext(
            "%(number)s may not hear the call: go and fetch them in person.", number="{number}"
        ),
        "interpreter_line": gettext(
            "%(language)s: %(count)s still here (%(today)s today)",
            language="{language}",
            count="{count}",
            today="{today}",
        ),
    }


def _texts() -> dict[str, str]:
    """A ticket's texts at the desk (static/js/desk/texts.js): the number, a message,
    and the news that a text did not go out."""
    return {
        "texts": gettext("Texts…"),
        "texts_title": gettext("Texts for %(number)s", number="{number}"),
        "texts_none": gettext("No number for texts."),
        "texts_state_on": gettext(
            "Texts go to the number ending in %(digits)s.", digits="{digits}"
        ),
        "texts_state_failed": gettext(
            "The last text to the number ending in %(digits)s did not go out.",
            digits="{digits}",
        ),
        "texts_saved": gettext("Texts are on for %(number)s.", number="{number}"),
        "texts_removed": gettext("Texts are off for %(number)s.", number="{number}"),
        "text_queued": gettext("The text to %(number)s is on its way.", number="{number}"),
        "text_not_sent": gettext(
            "The text to %(number)s did not go out. Tell them in person.", number="{number}"
        ),
        # What a patient said by text (services/inbound_texts.py).
        "reply_late": gettext("%(number)s texted: running late.", number="{number}"),
        "reply_other": gettext("%(number)s texted: “%(text)s”", number="{number}", text="{text}"),
        "reply_stop": gettext("%(number)s asked for no more texts.", number="{number}"),
        "reply_leave": gettext("%(number)s left the queue by text.", number="{number}"),
        "number_refused": gettext(
            "The provider refused the number of %(number)s, so it is removed. Tell them in person.",
            number="{number}",
        ),
        # Web Push (static/js/desk/push.js): a phone alert that did not go out.
        "alert_not_sent": gettext(
            "The phone alert to %(number)s did not go out. Tell them in person.",
            number="{number}",
        ),
        "alerts_refused": gettext(
            "The phone of %(number)s no longer takes alerts, so they are off. Tell them in person.",
            number="{number}",
        ),
    }
