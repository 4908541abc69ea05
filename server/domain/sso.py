"""Hospital sign-in: which role and sites an identity provider's groups give an account.

The role map comes from configuration (OIDC_ROLE_MAP): each group names the (site, role)
pairs it gives. The account's sites are all they name, its role on each site the highest
its groups give there, and its own role (users.role) the highest of those; a site where
the groups give less is kept as that site's role (storage/models.py user_sites.role).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

# Higher is more: an admin may do what staff and managers may. Staff (the desk) and
# managers (the reports and the feedback inbox, no desk) do different things; an account
# has one role, so groups giving both give "manager", which reads more (patients' free
# text). Someone who needs both is given admin, or two accounts.
ROLE_RANK = {"staff": 1, "manager": 2, "admin": 3}

RoleMap: TypeAlias = Mapping[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Grant:
    """What an account may do: its role, and the slugs of its sites (sorted)."""

    role: str
    sites: tuple[str, ...]
    # (site, role) where the groups give less than `role`, sorted: its role there.
    lower: tuple[tuple[str, str], ...] = ()

    def role_on(self, site: str) -> str:
        return dict(self.lower).get(site, self.role)


def parse_role_map(data: object) -> dict[str, tuple[tuple[str, str], ...]]:
    """The role map from its JSON form, {"group": [["site", "role"], ...]} (a pair may
    also be {"site": ..., "role": ...}). A mistake raises ValueError naming the group."""
    if not isinstance(data, dict):
        raise ValueError("OIDC_ROLE_MAP: give a JSON object of group -> [[site, role], ...].")
    parsed = {}
    for group, pairs in data.items():
        if not isinstance(pairs, list) or not pairs:
            raise ValueError(f"OIDC_ROLE_MAP[{group!r}]: give a list of [site, role] pairs.")
        parsed[str(group)] = tuple(_pair(group, pair) for pair in pairs)
    return parsed


def _pair(group: str, pair: object) -> tuple[str, str]:
    if isinstance(pair, dict):
        pair = [pair.get("site"), pair.get("role")]
    if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
        raise ValueError(f"OIDC_ROLE_MAP[{group!r}]: each entry is [site, role].")
    site, role = pair
    if role not in ROLE_RANK:
        raise ValueError(
            f"OIDC_ROLE_MAP[{group!r}]: role {role!r} is not one of {', '.join(ROLE_RANK)}."
        )
    return site, role


def grant_for(groups: Iterable[str], role_map: RoleMap, known_sites: Iterable[str]) -> Grant | None:
    """The role and sites the groups give on the sites that exist; None when they give
    nothing (no group in the map, or only sites this server does not have)."""
    known = set(known_sites)
    pairs = [(site, role) for group in set(groups) for site, role in role_map.get(group, ())]
    pairs = [(site, role) for site, role in pairs if site in known]
    if not pairs:
        return None
    per_site: dict[str, str] = {}
    for site, role in pairs:
        if site not in per_site or ROLE_RANK[role] > ROLE_RANK[per_site[site]]:
            per_site[site] = role
    highest = max(per_site.values(), key=ROLE_RANK.__getitem__)
    lower = tuple(sorted((site, role) for site, role in per_site.items() if role != highest))
    return Grant(highest, tuple(sorted(per_site)), lower)


def groups_claim(value: object) -> tuple[str, ...] | None:
    """The groups an ID token's claim lists; None when it is missing or not a list of
    names (a provider not set up to send groups: refused, not taken as "no groups")."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        return None
    return tuple(value)
