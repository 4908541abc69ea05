"""The demo clinic at its busiest for the display: eight services and rooms with long
names in the languages its displays show (two: the fit rules are checked with a second
language under every name), for the browser tests and the README's screenshots.

It is the demo's site file with longer names and four more services, so that the same
desk account, rooms and map serve it (`waitroom load-site` updates the demo in place).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

DEMO_SITE = Path(__file__).resolve().parents[2] / "server" / "sites" / "demo" / "site.toml"

# The English and Spanish names (the demo's display languages) made long; the site's
# other languages keep theirs.
LONG_NAMES = {
    'en = "General practice", es = "Medicina general",': (
        'en = "General practice and family medicine", '
        'es = "Medicina general y de familia para adultos",'
    ),
    'en = "Blood tests", es = "Análisis de sangre",': (
        'en = "Blood tests and other samples", es = "Análisis de sangre y otras muestras",'
    ),
    'en = "Room 1", es = "Consulta 1",': (
        'en = "Consulting room 1, east wing", es = "Consulta número 1, ala este",'
    ),
    'en = "Lab counter 2", es = "Laboratorio 2",': (
        'en = "Laboratory counter 2, by the pharmacy", '
        'es = "Mostrador del laboratorio 2, junto a la farmacia",'
    ),
}
# What the busy site's displays show: at least two languages, or the fit test would not
# try a second name under each.
DISPLAY_LANGUAGES = '["en", "es"]'


MORE_SERVICES = [
    ("physio", "P", "Physiotherapy and rehabilitation", "Fisioterapia y rehabilitación"),
    ("mental", "M", "Mental health and wellbeing service", "Salud mental y bienestar emocional"),
    ("antenatal", "A", "Antenatal and postnatal care", "Atención prenatal y posparto"),
    ("diabetes", "D", "Diabetes and long-term conditions", "Diabetes y enfermedades crónicas"),
]


CYCLE_SECONDS = 10  # the shortest rotation a site may choose, so the tests wait little


def heavy_site_text() -> str:
    text = DEMO_SITE.read_text()
    text = re.sub(
        r"(?m)^display_cycle_seconds = \d+", f"display_cycle_seconds = {CYCLE_SECONDS}", text
    )
    assert f"display_cycle_seconds = {CYCLE_SECONDS}" in text
    text = re.sub(r"(?m)^display_languages = .*$", f"display_languages = {DISPLAY_LANGUAGES}", text)
    assert f"display_languages = {DISPLAY_LANGUAGES}" in text
    languages = tomllib.loads(text)["site"]["languages"]
    for short, long in LONG_NAMES.items():
        assert short in text, short
        text = text.replace(short, long)
    more = "".join(
        f'[[services]]\ncode = "{code}"\nprefix = "{prefix}"\ntypical_minutes = 20\n'
        f"name = {{ {more_names(languages, en, es)} }}\n\n"
        for code, prefix, en, es in MORE_SERVICES
    )
    first_room = text.index("[[rooms]]")
    return text[:first_room] + more + text[first_room:]


def more_names(languages: list[str], en: str, es: str) -> str:
    """A new service's names: English and Spanish, and the English words for the site's
    other languages (which every name needs, and which the displays do not show)."""
    words = {"es": es}
    return ", ".join(f'{lang} = "{words.get(lang, en)}"' for lang in languages)


def write_heavy_site(folder: Path) -> Path:
    path = folder / "busy-site.toml"
    path.write_text(heavy_site_text())
    return path
