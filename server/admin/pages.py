"""The console's pages, in the order of its navigation (templates/admin/nav.html).

A part of the console made elsewhere (staff accounts, device pairing) adds its page
here: `Page(endpoint, label)`, with `per_site=False` when its address names no site.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Page:
    endpoint: str
    label: LazyString
    per_site: bool = True


PAGES: dict[str, Page] = {
    "site": Page("admin.site_page", _l("Site")),
    "services": Page("admin.services_page", _l("Services")),
    "rooms": Page("admin.rooms_page", _l("Rooms")),
    "screens": Page("admin.screens_page", _l("Kiosks and displays")),
    "map": Page("admin.map_page", _l("Map")),
    "appointments": Page("admin.appointments_page", _l("Appointments")),
    # Printed posters: join from your phone, and "I'm here" at the entrance.
    "posters": Page("admin.posters_page", _l("Posters")),
    # Staff accounts, the administrator's second factor and screen pairing
    # (server/staff_admin/), whose addresses name no site.
    "staff": Page("staff_admin.staff_page", _l("Staff"), per_site=False),
    "second-factor": Page("staff_admin.second_factor_page", _l("Second factor"), per_site=False),
    "devices": Page("staff_admin.devices_page", _l("Pairing"), per_site=False),
    # The manager's reports (server/desk/reports.py), which an administrator reads too.
    "reports": Page("desk.reports_page", _l("Reports")),
}
