"""Which role and sites an identity provider's groups give (domain/sso.py)."""

from __future__ import annotations

import re

import pytest

from server.domain.sso import ROLE_RANK, Grant, grant_for, groups_claim, parse_role_map
from server.domain.staff import Role

ROLE_MAP = parse_role_map(
    {
        "desk-north": [["north", "staff"]],
        "desk-south": [{"site": "south", "role": "staff"}],
        "admins-north": [["north", "admin"]],
        "managers-south": [["south", "manager"]],
        "closed-clinic": [["gone", "admin"]],
    }
)
SITES = ["north", "south"]


def test_a_group_gives_its_site_and_role() -> None:
    assert grant_for(["desk-north"], ROLE_MAP, SITES) == Grant("staff", ("north",))


def test_several_groups_give_all_their_sites_and_the_highest_role_on_each() -> None:
    grant = grant_for(["desk-south", "admins-north", "coffee-club"], ROLE_MAP, SITES)
    assert grant == Grant("admin", ("north", "south"), (("south", "staff"),))
    assert (grant.role_on("north"), grant.role_on("south")) == ("admin", "staff")
    both = grant_for(["desk-north", "admins-north"], ROLE_MAP, SITES)
    assert both == Grant("admin", ("north",))


def test_a_group_may_give_the_manager_role() -> None:
    assert grant_for(["managers-south"], ROLE_MAP, SITES) == Grant("manager", ("south",))


def test_manager_ranks_above_staff_and_below_admin() -> None:
    both = grant_for(["desk-north", "managers-south"], ROLE_MAP, SITES)
    assert both == Grant("manager", ("north", "south"), (("north", "staff"),))
    assert (both.role_on("north"), both.role_on("south")) == ("staff", "manager")
    assert grant_for(["managers-south", "admins-north"], ROLE_MAP, SITES) == Grant(
        "admin", ("north", "south"), (("south", "manager"),)
    )


def test_every_role_an_account_may_have_may_be_given() -> None:
    assert set(ROLE_RANK) == {role.value for role in Role}


def test_no_group_in_the_map_gives_nothing() -> None:
    assert grant_for(["coffee-club"], ROLE_MAP, SITES) is None
    assert grant_for([], ROLE_MAP, SITES) is None


def test_a_site_this_server_does_not_have_gives_nothing() -> None:
    assert grant_for(["closed-clinic"], ROLE_MAP, SITES) is None
    assert grant_for(["closed-clinic", "desk-north"], ROLE_MAP, SITES) == Grant("staff", ("north",))


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (["desk"], "JSON object"),
        ({"desk": []}, "'desk'"),
        ({"desk": [["north"]]}, "[site, role]"),
        ({"desk": [["north", "owner"]]}, "'owner'"),
        ({"desk": [{"site": "north"}]}, "[site, role]"),
    ],
)
def test_a_bad_role_map_is_refused_naming_the_group(data: object, named: str) -> None:
    with pytest.raises(ValueError, match=re.escape(named)):
        parse_role_map(data)


def test_the_groups_claim_must_be_a_list_of_names() -> None:
    assert groups_claim(["a", "b"]) == ("a", "b")
    assert groups_claim("a") == ("a",)
    assert groups_claim([]) == ()
    assert groups_claim(None) is None  # missing: refused, not taken as "no groups"
    assert groups_claim([1, 2]) is None
    assert groups_claim({"a": 1}) is None
