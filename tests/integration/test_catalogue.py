"""The one message catalogue (translations/): every surface reads it, every message in the
source is in it with a translation in each language the product ships (no fuzzy, no empty,
the placeholders of its message kept), and no message id can get two translations (no
second catalogue, no entry twice). A language ships by having a catalogue, so a new one is
checked here as soon as it is added."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import denormalize, read_po
from flask import Flask

from server.i18n import CATALOGUE, DEFAULT_LANGUAGE, LANGUAGES, own_name
from server.wayfinding import texts

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("server", "kiosk", "display")  # what `make translations` extracts
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # and `-k _l`: flask_babel's lazy_gettext
CHOOSABLE = sorted(set(LANGUAGES) - {DEFAULT_LANGUAGE})
# The languages the issue asks every patient surface to speak (Simplified Chinese is `zh`).
PROMISED = {"en", "es", "fr", "pt", "zh", "vi", "ar", "pl"}
# %(name)s and %%, as Python's % fills them; {name}, as the browser's texts fill them.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")

Key = tuple[str | None, str]  # (msgctxt, msgid)


def po_file(language: str) -> Path:
    return CATALOGUE / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def key(message_id: str | tuple[str, ...], context: str | None) -> Key:
    return (context, message_id if isinstance(message_id, str) else message_id[0])


def extracted_from_source() -> set[Key]:
    """What `make translations` would put in messages.pot today, by babel.cfg."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        key(message, context)
        for source in SOURCES
        for _, _, message, _, context in extract_from_dir(
            str(ROOT / source), method_map, options_map, keywords=KEYWORDS
        )
        if key(message, context)[1]
    }


def entries_as_written(path: Path) -> list[Key]:
    """The (msgctxt, msgid) of every live entry in file order, repeats kept: Babel's own
    reader keeps only the last of two entries with one id, so it cannot see a repeat."""
    entries: list[Key] = []
    fields: dict[str, list[str]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):  # comments, flags, obsolete (#~)
            continue
        if line.startswith('"'):
            fields[current].append(line)
            continue
        current, _, value = line.partition(" ")
        if current.startswith("msgstr") and "msgid" in fields:
            context = fields.get("msgctxt")
            entries.append(
                (
                    denormalize("\n".join(context)) if context else None,
                    denormalize("\n".join(fields["msgid"])),
                )
            )
            fields = {}
        fields[current] = [value]
    return [entry for entry in entries if entry[1]]  # not the header


def test_there_is_one_catalogue_and_every_surface_reads_it(app: Flask) -> None:
    elsewhere = [
        str(path.relative_to(ROOT))
        for source in SOURCES
        for pattern in ("*.po", "*.pot")
        for path in (ROOT / source).rglob(pattern)
    ]
    assert elsewhere == []
    assert CATALOGUE == ROOT / "translations"
    assert sorted(CATALOGUE.rglob("*.po")) == [po_file(language) for language in CHOOSABLE]
    assert (CATALOGUE / "messages.pot").is_file()
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"] == str(CATALOGUE)
    for language in CHOOSABLE:
        assert [Path(file) for file in texts.translations(language).files] == [
            po_file(language).with_suffix(".mo")
        ]


@pytest.mark.parametrize("language", CHOOSABLE)
def test_no_message_id_has_two_entries(language: str) -> None:
    entries = entries_as_written(po_file(language))
    assert len(entries) > 300
    assert [entry for entry, times in Counter(entries).items() if times > 1] == []


@pytest.mark.parametrize("language", CHOOSABLE)
def test_every_message_has_a_translation_in_each_language_a_site_can_choose(
    language: str,
) -> None:
    catalogue = read_catalogue(po_file(language))
    untranslated = [
        key(message.id, message.context)
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", CHOOSABLE)
def test_every_translation_keeps_the_placeholders_of_its_message(language: str) -> None:
    catalogue = read_catalogue(po_file(language))
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in catalogue.check()
    ]
    assert problems == []


def test_the_product_ships_the_promised_languages_each_in_its_own_name() -> None:
    assert set(LANGUAGES) >= PROMISED
    assert LANGUAGES["es"] == "Español"
    assert LANGUAGES["zh"] == "中文"
    assert LANGUAGES["ar"] == "العربية"
    assert own_name("vi") == "Tiếng Việt"


def test_the_demo_site_offers_only_shipped_languages() -> None:
    site = tomllib.loads((ROOT / "server/sites/demo/site.toml").read_text(encoding="utf-8"))
    assert set(site["site"]["languages"]) == PROMISED
    assert set(site["site"]["languages"]) <= set(LANGUAGES)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", CHOOSABLE)
def test_every_translation_has_exactly_the_placeholders_of_its_source(language: str) -> None:
    """Babel's own check covers only python-format messages; this covers {name} too, and
    each plural form (a form may not drop the number: Arabic's "two" still shows it)."""
    catalogue = read_catalogue(po_file(language))
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(sources[-1])
        problems += [(sources[0], form) for form in forms if placeholders(form) != expected]
    assert problems == []


def test_the_placeholder_check_sees_a_lost_or_renamed_placeholder() -> None:
    assert placeholders("Ticket %(number)s, go to {room}.") == ["%(number)s", "{room}"]
    assert placeholders("Billet %(numero)s, allez à {room}.") != placeholders(
        "Ticket %(number)s, go to {room}."
    )
    assert placeholders("50%% of {n}") == ["%%", "{n}"]


def test_every_message_in_the_source_is_in_the_catalogue() -> None:
    in_source = extracted_from_source()
    assert len(in_source) > 300
    template = read_catalogue(CATALOGUE / "messages.pot")
    assert {key(m.id, m.context) for m in template if m.id} == in_source, (
        "messages.pot is out of date: run `make translations`"
    )
    for language in CHOOSABLE:
        catalogue = read_catalogue(po_file(language))
        assert in_source - {key(m.id, m.context) for m in catalogue if m.id} == set()
