"""The names of Socket.IO rooms. Every emit goes to one of these (or to one client)."""


def display_room(site_slug: str) -> str:
    """Display-safe data for the waiting-room screens and kiosks of a site."""
    return f"display:{site_slug}"


def staff_room(site_slug: str) -> str:
    """Full details, for logged-in staff of the site only."""
    return f"staff:{site_slug}"


def ticket_room(ticket_id: int) -> str:
    """One ticket's status, for the phone holding its token."""
    return f"ticket:{ticket_id}"


def login_room(login_id: str) -> str:
    """The staff sockets opened under one browser login, so logging out can end them.

    Per login, not per account: desks often share an account, and one desk logging out
    must not cut off the others.
    """
    return f"login:{login_id}"


def screen_room(pairing_id: int) -> str:
    """The sockets of one paired screen (a browser made a kiosk or display by pairing),
    so unpairing it can end them."""
    return f"screen:{pairing_id}"
