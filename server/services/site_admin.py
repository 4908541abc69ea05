"""The admin console's edits of a site: one part of the site file at a time.

A site is kept in the database, but the site file is its one description: an edit takes
the site as a site file's data (`site_file_data`), replaces one part, checks the whole
with the site file's own schema (`check_site_data`) and loads it with `load_site`, as
`waitroom load-site` would. So an edit is refused whole, with the key of the field at
fault, exactly where the same site file would be refused; and what the console saves can
always be written back to TOML (`export_site`) and loaded again to the same site.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import tomllib
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from server.domain.errors import DomainError
from server.domain.notify import last_digits
from server.services import audit
from server.services.sites import (
    SITE_SETTINGS,
    AppointmentFileError,
    load_site,
    read_appointments,
)
from server.services.wayfinding import describe_route
from server.sites.schema import (
    MAX_PLAN_IMAGE_BYTES,
    PLAN_IMAGES,
    SiteFile,
    SiteFileError,
    check_site_data,
)
from server.storage import queries
from server.storage.models import Device, Room, Service, Site

# The parts of a site file the console edits one at a time (the map has its own upload).
PARTS = (
    "site",
    "services",
    "rooms",
    "kiosks",
    "displays",
    "delay_reasons",
    "closures",
    "feedback_question",
)
# Parts a site file may leave out: an edit to None removes them.
OPTIONAL_PARTS = frozenset({"feedback_question"})
# What [site] holds besides slug, name, time zone and languages (load_site keeps them in
# the site's settings).


class SiteEditRefused(DomainError):
    """An edit the site file's checks refuse; the message names the field."""

    code = "invalid_site"
    status = 422


# --- The site as a site file --------------------------------------------------------


def site_file_data(site: Site) -> dict[str, Any]:
    """The site as the data of its site file: what `parse_site_file` would read."""
    settings = site.settings or {}
    head: dict[str, Any] = {
        "slug": site.slug,
        "name": site.name,
        "timezone": site.timezone,
        "languages": list(site.languages),
    }
    head |= {key: settings[key] for key in SITE_SETTINGS if settings.get(key) is not None}
    data: dict[str, Any] = {
        "site": head,
        "services": [_service_data(s) for s in site.services if s.active],
        "rooms": [_room_data(r) for r in site.rooms if r.active],
        "kiosks": _devices_data(site, "kiosk"),
        "displays": _devices_data(site, "display"),
        "delay_reasons": copy.deepcopy(settings.get("delay_reasons") or []),
        "closures": copy.deepcopy(settings.get("closures") or []),
    }
    if settings.get("feedback_question"):
        data["feedback_question"] = {"text": dict(settings["feedback_question"])}
    if settings.get("map_source"):
        data["map"] = copy.deepcopy(settings["map_source"])
    return data


def _service_data(service: Service) -> dict[str, Any]:
    target = (service.site.settings or {}).get("wait_targets", {}).get(service.code)
    data: dict[str, Any] = {
        "code": service.code,
        "prefix": service.prefix,
        "name": dict(service.names),
        "typical_minutes": service.typical_minutes,
    }
    data |= {"colour": service.colour} if service.colour else {}
    if service.code in (service.site.settings or {}).get("remote_services", ()):
        data["remote_join"] = True
    return data | ({"wait_target_minutes": target} if target else {})


def _room_data(room: Room) -> dict[str, Any]:
    served = sorted(room.services, key=lambda s: s.position)
    return {
        "code": room.code,
        "name": dict(room.names),
        "services": [s.code for s in served],
    } | ({"hours": dict(room.hours)} if room.hours is not None else {})


def _devices_data(site: Site, kind: str) -> list[dict[str, Any]]:
    devices = sorted((d for d in site.devices if d.kind == kind and d.active), key=_by_id)
    return [_device_data(d) for d in devices]


def _by_id(device: Device) -> int:
    return device.id


def _device_data(device: Device) -> dict[str, Any]:
    services = (device.config or {}).get("services")
    return {"code": device.code, "name": device.name} | ({"services": services} if services else {})


def export_site(site_slug: str) -> str:
    """The site as a site file (TOML), to keep, edit by hand, or load elsewhere."""
    data = site_file_data(queries.get_site(site_slug))
    return tomli_w.dumps(_without_empty_lists(data))


def _without_empty_lists(data: dict[str, Any]) -> dict[str, Any]:
    """TOML has no way to write an empty array of tables; an absent one means the same."""
    return {key: value for key, value in data.items() if value != []}


def console_parts(site_slug: str) -> dict[str, Any]:
    """What the console's forms show: the site file's data, and the services, rooms and
    screens the site has stopped using (to take them back into use)."""
    site = queries.get_site(site_slug)
    data = site_file_data(site)
    data["inactive_services"] = [_service_data(s) for s in site.services if not s.active]
    data["inactive_rooms"] = [_room_data(r) for r in site.rooms if not r.active]
    for kind, part in (("kiosk", "inactive_kiosks"), ("display", "inactive_displays")):
        data[part] = [_device_data(d) for d in site.devices if d.kind == kind and not d.active]
    return data


# --- Edits --------------------------------------------------------------------------


def edit_site(
    site_slug: str, part: str, value: Any, *, actor: audit.Actor | None = None
) -> dict[str, Any]:
    """Replace one part of the site (`PARTS`) and save it, or refuse it whole.

    In a list, an item with `"active": false` is left out of the site file: the site
    stops using it (past tickets keep it), and can take it back later. An optional part
    (`OPTIONAL_PARTS`, e.g. the site's own feedback question) set to None is removed.
    """
    if part not in PARTS:
        raise SiteEditRefused(f"{part}: not a part of the site the console edits")
    site = queries.get_site(site_slug, lock=True)
    before = site_file_data(site)
    after = copy.deepcopy(before)
    if part in OPTIONAL_PARTS and value is None:
        after.pop(part, None)
    else:
        after[part] = _in_use(value) if part != "site" else value
    if part == "site" and isinstance(value, dict):
        after["site"] = {**value, "slug": site.slug}  # the slug names the site everywhere
    spec = _checked(after)
    return _save(site, spec, actor, part=part, before=before.get(part), after=after.get(part))


def _in_use(items: Any) -> Any:
    if not isinstance(items, list):
        return items  # the schema says what it should be
    return [
        {key: value for key, value in item.items() if key != "active"}
        for item in items
        if not (isinstance(item, dict) and item.get("active") is False)
    ]


def _checked(data: dict[str, Any], folder: Path | None = None, text: str = "") -> SiteFile:
    try:
        return check_site_data(data, source="the site", folder=folder, text=text)
    except SiteFileError as error:
        raise SiteEditRefused(str(error).removeprefix("the site: ")) from None


def _save(
    site: Site, spec: SiteFile, actor: audit.Actor | None, *, part: str, before: Any, after: Any
) -> dict[str, Any]:
    """Load the checked site, with an audit entry of what changed, in one transaction;
    load_site then publishes it to every screen of the site."""
    audit.record("site_edited", actor, site_id=site.id, part=part, before=before, after=after)
    return load_site(spec, actor=actor)


# --- The map ------------------------------------------------------------------------


def replace_map(
    site_slug: str,
    map_text: str,
    images: Mapping[str, bytes],
    plans_folder: Path,
    *,
    actor: audit.Actor | None = None,
) -> dict[str, Any]:
    """Save a new `[map]` (TOML) with the floor pictures it names, or refuse it whole.

    The pictures are kept in a folder of their own under `plans_folder`, so a refused
    map leaves the saved one's pictures as they were."""
    site = queries.get_site(site_slug, lock=True)
    folder = plans_folder / site.slug / uuid.uuid4().hex
    try:
        spec, before = _map_checked(site, map_text, images, folder)
    except DomainError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    after = spec.map_source()
    return _save(site, spec, actor, part="map", before=before, after=after)


def preview_route(
    site_slug: str,
    map_text: str,
    images: Mapping[str, bytes],
    *,
    from_: str | None,
    to: str,
    mode: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """A route on a map not yet saved: the same checks as saving it, nothing kept."""
    site = queries.get_site(site_slug)
    with tempfile.TemporaryDirectory(prefix="waitroom-map-") as scratch:
        spec, _ = _map_checked(site, map_text, images, Path(scratch))
        data = spec.map_data()
        assert data is not None  # a checked map has its data
        return describe_route(
            site, data, from_, to, mode=mode, language=language, id_prefix="preview"
        )


def _map_checked(
    site: Site, map_text: str, images: Mapping[str, bytes], folder: Path
) -> tuple[SiteFile, Any]:
    try:
        raw = tomllib.loads(map_text)
    except tomllib.TOMLDecodeError as error:
        raise SiteEditRefused(f"map: not valid TOML: {error}") from None
    others = sorted(set(raw) - {"map"})
    if others or "map" not in raw:
        raise SiteEditRefused(
            "map: give the [map] part only (its tables start with [map] or [[map.…]])"
            + (f"; found {', '.join(others)}" if others else "")
        )
    _keep_images(images, folder)
    data = site_file_data(site)
    before = data.get("map")
    return _checked({**data, "map": raw["map"]}, folder=folder, text=map_text), before


def _keep_images(images: Mapping[str, bytes], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in images.items():
        path = folder / Path(name).name  # the name only: never a path out of the folder
        if path.suffix.lower() not in PLAN_IMAGES or path.name != name:
            raise SiteEditRefused(
                f"map: {name!r} is not a floor picture's name"
                f" (use a {', '.join(sorted(PLAN_IMAGES))} file)"
            )
        if len(content) > MAX_PLAN_IMAGE_BYTES:
            raise SiteEditRefused(f"map: {name!r} is larger than 5 MB")
        path.write_bytes(content)


# --- Appointments -------------------------------------------------------------------


def preview_appointments(site_slug: str, csv_text: str, day: date | None = None) -> dict[str, Any]:
    """What importing the file would do, and each bad line, before anything is saved."""
    site = queries.get_site(site_slug)
    try:
        rows, problems = read_appointments(site, csv_text, day)
    except AppointmentFileError as error:
        return {"rows": [], "problems": [str(error)]}
    return {
        "rows": [
            {
                "code": row.code,
                "last_name": row.last_name,
                "first_name": row.first_name,
                "service": row.service,
                "day": row.day.isoformat(),
                "time": row.at.strftime("%H:%M"),
                # Staff never see a patient's number in full: its last two digits.
                "mobile": last_digits(row.mobile) if row.mobile else None,
            }
            for row in rows
        ],
        "problems": problems,
    }
