"""Roles per site: an account's role may differ from one site to another (staff at one,
manager or administrator at another), and an account acts only on its own sites, with
its role there: the API, the staff socket, the console and the account's facts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server import services
from server.domain.errors import DomainError
from server.extensions import db
from server.sites.schema import parse_site_text
from server.storage.models import AuditEntry, User
from tests.conftest import DEMO_SITE, SITE, STAFF_PASSWORD, login, socket
from tests.integration.test_staff_admin import admin_actor, post_form

OTHER = "hilltop"


@pytest.fixture
def two_sites(app):
    """A second site; "ana" is staff at riverside and a manager at hilltop, "boss" an
    administrator at riverside and staff at hilltop."""
    other = re.sub(r'(?m)^slug = "riverside"$', f'slug = "{OTHER}"', DEMO_SITE.read_text())
    with app.app_context():
        services.load_site(parse_site_text(other))
        services.add_user("ana", STAFF_PASSWORD, "staff", [SITE, OTHER])
        services.add_user("boss", STAFF_PASSWORD, "admin", [SITE, OTHER])
        services.add_user("hill", STAFF_PASSWORD, "admin", [OTHER])
        hill = db.session.execute(select(User).where(User.username == "hill")).scalar_one()
        by_hill = services.Actor.staff(hill, None)
        services.set_site_role("ana", OTHER, "manager", actor=by_hill, allowed=[OTHER])
        services.set_site_role("boss", OTHER, "staff", actor=by_hill, allowed=[OTHER])
    return app


def signed_in(app, username):
    client = app.test_client()
    login(client, username)
    return client


def test_the_api_answers_each_site_with_the_accounts_role_there(two_sites):
    ana = signed_in(two_sites, "ana")
    assert ana.get(f"/api/sites/{SITE}/queue").status_code == 200
    assert ana.get(f"/api/sites/{OTHER}/queue").status_code == 403  # a manager: no desk
    assert ana.get(f"/api/sites/{OTHER}/reports").status_code == 200
    assert ana.get(f"/api/sites/{SITE}/reports").status_code == 403  # staff: no reports
    me = ana.get("/api/me").get_json()
    assert me["roles"] == {SITE: "staff", OTHER: "manager"}


def test_an_administrator_of_one_site_is_staff_at_the_other(two_sites):
    boss = signed_in(two_sites, "boss")
    assert boss.get(f"/api/sites/{SITE}/audit").status_code == 200
    assert boss.get(f"/api/sites/{OTHER}/audit").status_code == 403
    assert boss.get(f"/api/sites/{OTHER}/queue").status_code == 200
    assert boss.get(f"/admin/{SITE}").status_code == 200
    assert boss.get(f"/admin/{OTHER}").status_code == 403
    assert boss.get(f"/admin/staff?site={OTHER}").status_code == 403
    # Its staff page lists and changes only the accounts of the site it administers.
    page = boss.get(f"/admin/staff?site={SITE}").get_data(as_text=True)
    assert 'id="account-ana"' in page and 'id="account-hill"' not in page
    refused = post_form(boss, f"/admin/staff?site={SITE}", action="disable", username="hill")
    assert refused.status_code == 404


def test_a_desk_user_of_one_site_cannot_act_on_another(two_sites):
    desk = signed_in(two_sites, "desk")  # riverside only
    assert desk.get(f"/api/sites/{OTHER}/queue").status_code == 403
    assert (
        two_sites.test_client()
        .post(f"/api/sites/{OTHER}/checkins/walk-in", json={"service": "G"})
        .status_code
        == 201
    )
    called = desk.post(f"/api/sites/{OTHER}/rooms/room-1/call-next", json={})
    assert called.status_code == 403
    assert desk.get(f"/api/sites/{SITE}/queue").status_code == 200


def test_the_staff_socket_follows_the_role_on_each_site(two_sites):
    ana = signed_in(two_sites, "ana")
    assert socket(two_sites, {"staff": SITE}, http=ana).is_connected()
    assert not socket(two_sites, {"staff": OTHER}, http=ana).is_connected()
    boss = signed_in(two_sites, "boss")
    assert socket(two_sites, {"staff": OTHER}, http=boss).is_connected()
    desk = signed_in(two_sites, "desk")
    assert not socket(two_sites, {"staff": OTHER}, http=desk).is_connected()


def test_the_console_sets_a_role_on_one_site_and_audits_it(two_sites, admin):
    response = post_form(
        admin,
        f"/admin/staff?site={SITE}",
        action="site_role",
        username="ana",
        site=SITE,
        role="manager",
    )
    assert response.status_code == 200
    ana = signed_in(two_sites, "ana")
    assert ana.get("/api/me").get_json()["roles"] == {SITE: "manager", OTHER: "manager"}
    assert ana.get(f"/api/sites/{SITE}/queue").status_code == 403
    with two_sites.app_context():
        entry = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "account_changed")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry.detail["before"]["site_roles"] == {OTHER: "manager"}
        assert entry.detail["after"]["site_roles"] == {SITE: "manager", OTHER: "manager"}
    # "" gives the site back the account's own role.
    post_form(admin, "/admin/staff", action="site_role", username="ana", site=SITE, role="")
    assert ana.get(f"/api/sites/{SITE}/queue").status_code == 200


@pytest.mark.parametrize(
    ("username", "site", "role", "code"),
    [
        ("ana", OTHER, "manager", "unknown_site"),  # riverside's admin does not run hilltop
        ("ana", SITE, "chief", "bad_role"),
        ("admin", SITE, "staff", "own_account"),  # not one's own administrator role
    ],
)
def test_a_wrong_site_role_is_refused(two_sites, username, site, role, code):
    with two_sites.app_context(), pytest.raises(DomainError) as refusal:
        services.set_site_role(username, site, role, actor=admin_actor(two_sites), allowed=[SITE])
    assert refusal.value.code == code


def test_hospital_groups_give_a_role_per_site(two_sites):
    from server.domain import sso

    role_map = sso.parse_role_map(
        {"reception-river": [[SITE, "staff"]], "admins-hill": [[OTHER, "admin"]]}
    )
    who = services.Identity("https://sso.example", "zoe-1", "zoe", ("reception-river",))
    with two_sites.app_context():
        zoe = services.sign_in_account(who, role_map, None)
        assert zoe.role == "staff" and [s.slug for s in zoe.sites] == [SITE]
        both = services.Identity(who.issuer, who.subject, "zoe", ("reception-river", "admins-hill"))
        zoe = services.sign_in_account(both, role_map, None)
        sites = {s.slug: s for s in zoe.sites}
        assert zoe.role_on(sites[SITE]) == "staff" and zoe.role_on(sites[OTHER]) == "admin"
        changed = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account_changed")
        ).all()[-1]
        assert changed.detail["roles"] == {SITE: "staff", OTHER: "admin"}
        assert changed.detail["before"]["roles"] == {SITE: "staff"}
        # Signing in again with the same groups changes nothing.
        services.sign_in_account(both, role_map, None)
        assert (
            db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account_changed"))
            .all()[-1]
            .id
            == changed.id
        )
