"""What the printed posters of a site say: "Join the line from your phone" (a QR code to
/join) and the arrival poster at the entrance (a QR code that says "I'm here" for the
phone's ticket, and the day's code).

The arrival poster's QR code carries the site's poster key, not the day's code, so a
poster keeps working day after day. The key is made the first time the poster is asked
for, and an administrator replaces it (retiring every poster printed before), each with
an audit entry. The pages and the command draw the posters (server/posters.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from server import clock
from server.domain import remote
from server.extensions import db
from server.services import audit
from server.services.arrival import arrival_code
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import Site


def join_poster(site_slug: str) -> dict[str, Any]:
    """The facts of the join poster: the site, its languages, whether it takes remote
    tickets at all (the poster is printed anyway, but the page says so)."""
    site = queries.get_site(site_slug)
    return {**_site_facts(site), "remote": bool(SiteSettings.of(site).remote_services)}


def arrival_poster(site_slug: str, *, actor: audit.Actor | None = None) -> dict[str, Any]:
    """The facts of the arrival poster: the site's poster key (made now if it has none)
    and today's code, with the day it is for."""
    site = queries.get_site(site_slug, lock=True)
    now = clock.now()
    if site.poster_key is None:
        site.poster_key = remote.new_poster_key()
        audit.record("poster_key_made", actor, site_id=site.id, at=now)
    facts = {
        **_site_facts(site),
        "key": site.poster_key,
        "code": arrival_code(site, now),
        "day": site.days.day_of(now),
    }
    db.session.commit()
    return facts


def replace_poster_key(site_slug: str, *, actor: audit.Actor) -> date:
    """A new key: every arrival poster printed before stops working (print new ones).
    Returns the day it was replaced on."""
    site = queries.get_site(site_slug, lock=True)
    now = clock.now()
    site.poster_key = remote.new_poster_key()
    audit.record("poster_key_replaced", actor, site_id=site.id, at=now)
    day = site.days.day_of(now)
    db.session.commit()
    return day


def poster_key_made_on(site_slug: str) -> bool:
    """Whether the site has a poster key yet (the console says a poster was printed)."""
    return queries.get_site(site_slug).poster_key is not None


def arrival_page(site_slug: str, key: str) -> dict[str, Any]:
    """What the page the arrival poster's QR code opens shows: today's code, if the key
    is the site's (else None: an old poster, or a made-up address)."""
    site = queries.get_site(site_slug)
    valid = remote.poster_key_matches(key, site.poster_key)
    return {
        **_site_facts(site),
        "valid": valid,
        "code": arrival_code(site) if valid else None,
    }


def _site_facts(site: Site) -> dict[str, Any]:
    return {
        "slug": site.slug,
        "name": site.name,
        "languages": list(site.languages),
        "public_url": SiteSettings.of(site).public_url,
    }
