"""Every word the kiosk shows, in the language Babel is set to when this runs.

The kiosk switches language without reloading (it must keep working when the network
drops), so the page gets these texts for each of the site's languages at once, and
kiosk.js puts them in place. Placeholders in braces ({seconds}) are filled in there.
"""

from __future__ import annotations

from flask_babel import gettext as _

from server.i18n import text_me_texts


def kiosk_texts() -> dict[str, str]:
    return {
        **_everywhere(),
        **_start(),
        **_appointment(),
        **_walk_in(),
        **_joined_online(),
        **_ticket(),
        **_find_your_way(),
        **_problems(),
        **_idle(),
        **_needs(),
        **_speech(),
    }


def _everywhere() -> dict[str, str]:
    return {
        "page_title": _("Check in"),
        "larger_text": _("Larger text"),
        "high_contrast": _("High contrast"),
        "start_again": _("Start again"),
        "reading_options": _("Reading options"),
        "offline": _(
            "This kiosk is offline. You cannot check in here now: please see the front desk."
        ),
        "delete": _("Delete"),
        "space": _("Space"),
        "keyboard": _("On-screen keyboard"),
    }


def _start() -> dict[str, str]:
    return {
        "welcome": _("Welcome. Check in here."),
        "tell_us": _("Tell us about your visit"),
        "choose_language": _("Language"),
        "have_appointment": _("I have an appointment"),
        "walk_in": _("Walk-in"),
        "walk_in_hint": _("No appointment"),
        "joined_online": _("I joined online"),
        "joined_online_hint": _("From home, with my phone"),
        # The start screen's QR code to /join (a site where a service takes remote tickets).
        "join_phone": _("Join the line from your phone"),
        "join_phone_hint": _("Scan the code with your phone's camera."),
        "join_phone_alt": _("QR code that opens the page to join the line"),
    }


def _appointment() -> dict[str, str]:
    return {
        "code_title": _("Type your appointment code"),
        "code_hint": _("It is on your letter or text, for example RV1001."),
        "code_label": _("Appointment code"),
        "find_appointment": _("Find my appointment"),
        "no_code": _("I do not have a code"),
        "name_title": _("Type your last name"),
        "name_hint": _("Your family name, as the clinic has it."),
        "name_label": _("Last name"),
        "next": _("Next"),
        "dob_title": _("Type your date of birth"),
        "dob_hint": _("Day, month, then year. For example 05 03 1941 for 5 March 1941."),
        "dob_legend": _("Date of birth"),
        "day": _("Day"),
        "month": _("Month"),
        "year": _("Year"),
        "dob_incomplete": _("Please type the whole date: day, month and year."),
        "dob_invalid": _("This date is not right. Please check it."),
        "code_empty": _("Please type your appointment code first."),
        "name_empty": _("Please type your last name first."),
        "confirm_title": _("Is this your appointment?"),
        "confirm_name": _("Name"),
        "confirm_time": _("Time"),
        "confirm_service": _("Service"),
        "confirm_yes": _("Yes, check me in"),
        "confirm_no": _("No, this is not me"),
    }


def _walk_in() -> dict[str, str]:
    return {
        "walk_in_title": _("What are you here for?"),
        "walk_in_choose": _("Tap one. You are checked in at once."),
        "service_wait": _("About {minutes} min wait"),
        "service_no_wait": _("Little or no wait"),
    }


def _joined_online() -> dict[str, str]:
    """ "I joined online" (kiosk/arrival.js): a remote ticket says it is here."""
    return {
        "online_title": _("Type your ticket number"),
        "online_hint": _("It is on your ticket page on your phone, for example G-012."),
        "online_label": _("Ticket number"),
        "online_by_mobile": _("Use my mobile number instead"),
        "online_mobile_title": _("Type your mobile number"),
        "online_mobile_hint": _("The number you gave when you joined the line."),
        "online_mobile_label": _("Mobile number"),
        "online_submit": _("I'm here"),
        "online_empty": _("Please type your ticket number first."),
        "online_mobile_empty": _("Please type your mobile number first."),
        "arrived_title": _("Thank you. We know you are here."),
    }


def _ticket() -> dict[str, str]:
    return {
        "ticket_title": _("You are checked in"),
        "your_number": _("Your number"),
        "place": _("You are number {position} in line."),
        "place_next": _("You are next in line."),
        "estimate": _("Estimated wait: about {central} min ({low} to {high} min)."),
        "estimate_next": _("Estimated wait: up to {high} min."),
        "where_to_wait": _(
            "Please take a seat in the waiting area. "
            "The screens there show your number when it is your turn."
        ),
        "scan": _("Scan with your phone camera to follow your place in line."),
        "qr_alt": _("QR code that opens your place in line on your phone"),
        "or_open": _("Or open this address on your phone:"),
        "checked_in_at": _("Checked in at {time}"),
        "print": _("Print my ticket"),
        "done": _("Done"),
        # "Text me when it's my turn" (static/js/kiosk/text-me.js), where texts are sent.
        **text_me_texts(),
        "texts_title": _("Text me when it's my turn"),
        "texts_number": _("Mobile number"),
        "texts_agree": _(
            "I agree to get text messages about this visit at this number. "
            "It is deleted when the visit ends."
        ),
        "texts_submit": _("Text me"),
    }


def _find_your_way() -> dict[str, str]:
    return {
        "find_way": _("Find your way"),
        "find_way_hint": _("Rooms, restrooms, exits"),
        "find_title": _("Where do you want to go?"),
        "find_hint": _("Type part of the name on the keys, or choose from the list."),
        "search_label": _("Search for a place"),
        "places_found": _("Places found: {count}"),
        "no_places": _("No place matches. Delete a letter, or see the front desk."),
        "near": _("Near {landmarks}"),
        "places_failed": _("The list of places cannot be shown now. Please see the front desk."),
        "route_title": _("The way to {place}"),
        "route_floor": _("Floor: {floor}"),
        "steps_title": _("Step by step"),
        "map_title": _("Map"),
        "step_free": _("Step-free route"),
        "step_free_hint": _("No stairs and no escalators. Choose this if you use a wheelchair."),
        "step_free_on": _("Step-free route: no stairs or escalators"),
        "route_phone_title": _("Take this way with you"),
        "route_scan": _("Scan with your phone camera to see this way on your phone."),
        "route_qr_alt": _("QR code that opens this way on your phone"),
        "other_place": _("Choose another place"),
        "no_step_free_route": _(
            "There is no step-free way there. Please ask at the front desk for help."
        ),
        "route_failed": _("The way cannot be shown now. Please see the front desk."),
        "show_way": _("Show the way"),
        "show_less": _("Show less"),
    }


def _problems() -> dict[str, str]:
    front_desk = _("Please see the front desk. They will help you.")
    return {
        "try_again": _("Try again"),
        "back_to_start": _("Back to start"),
        "appointment_not_found_title": _("We could not find your appointment"),
        "appointment_not_found_text": _(
            "Please check what you typed and try again, or see the front desk."
        ),
        "too_early_title": _("It is too early to check in"),
        "too_early_text": _(
            "Please come back closer to your appointment time, or see the front desk."
        ),
        "too_late_title": _("It is too late to check in here"),
        "too_late_text": front_desk,
        "already_checked_in_title": _("You are already checked in"),
        "already_checked_in_text": _("If you need your ticket again, please see the front desk."),
        "closed_title": _("The clinic is closed for walk-ins now"),
        "closed_text": front_desk,
        "rate_limited_title": _("Too many tries"),
        "rate_limited_text": _("Please wait a minute and try again, or see the front desk."),
        "offline_title": _("This kiosk is offline"),
        "offline_text": _(
            "You have not been checked in. Please see the front desk, "
            "or try again when this message is gone."
        ),
        "lost_title": _("We could not finish checking you in"),
        "lost_text": _("The connection was lost. Please see the front desk."),
        "remote_ticket_not_found_title": _("We could not find your ticket"),
        "remote_ticket_not_found_text": _(
            "Please check the number on your ticket page and try again, or see the front desk."
        ),
        "invalid_ticket_number_title": _("This is not a ticket number"),
        "invalid_ticket_number_text": _(
            "Type the letter and the number on your ticket page, for example G-012."
        ),
        "invalid_phone_number_title": _("This is not a mobile number"),
        "invalid_phone_number_text": _(
            "Please check the number and try again, or type your ticket number instead."
        ),
        "not_remote_title": _("This ticket was not taken from home"),
        "not_remote_text": _(
            "If this is your number, you are checked in already: please take a seat. "
            "If not, check the number and try again."
        ),
        "already_arrived_title": _("We know you are here already"),
        "already_arrived_text": _(
            "Please take a seat in the waiting area. "
            "If this is not your number, check it and try again."
        ),
        "already_called_title": _("This number has been called already"),
        "already_called_text": front_desk,
        "ticket_ended_title": _("This visit is over"),
        "ticket_ended_text": front_desk,
        "unknown_title": _("Something went wrong"),
        "unknown_text": front_desk,
    }


def _idle() -> dict[str, str]:
    return {
        "idle_title": _("Do you need more time?"),
        "idle_text": _("This screen will go back to the start in {seconds} seconds."),
        "more_time": _("More time"),
        "start_now": _("Start again now"),
    }


def _needs() -> dict[str, str]:
    """Asked before a check-in; the answers go with the ticket, for staff only."""
    return {
        "interpreter_question": _("Do you need an interpreter?"),
        "interpreter_yes": _("Yes, I need an interpreter"),
        "call_question": _("How should we call you?"),
        "may_not_hear": _("I may not hear my number called"),
        "may_not_see": _("I may not see the screen"),
    }


def _speech() -> dict[str, str]:
    """What the kiosk says when it reads aloud (kiosk/speech.js, kiosk/keypad.js)."""
    return {
        "read_aloud": _("Read aloud"),
        "read_aloud_on": _(
            "Read aloud is on. Use the arrow keys to move. Press Enter to choose. "
            "Press the star key to hear it again. Press Back to go back."
        ),
        "read_aloud_off": _("Read aloud is off."),
        "chosen": _("On"),
        "not_chosen": _("Off"),
        "empty": _("Empty"),
    }
