"""Plain words: every English sentence a patient reads is at or below a 6th-grade reading
level (Flesch-Kincaid grade, measured by textstat), so that most adults can read it at a
glance, in a hurry or unwell.

"Patient-facing" is every message of the catalogue except the desk's (staff only), and the
words of the demo site file that patients read (delay reasons, service and room names).
The test lists every sentence above the grade, so a failure says what to rewrite."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import textstat
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("server", "kiosk", "display")  # what `make translations` extracts
STAFF_ONLY = (  # staff screens
    "server/desk/",
    "server/admin/",
    "server/staff_admin/",
    "server/feedback/templates/feedback/inbox.html",
)
HIGHEST_GRADE = 6.0
# Words that are not ours to change: the NHS Friends and Family Test's own question.
FIXED_WORDING = {"Overall, how was your experience of our service?"}
# A placeholder stands for a name or number, and a code or address ("RV1001",
# "/display?site=x") is copied, not read: each counts as a short word.
NOT_WORDS = re.compile(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>|\S*[\d/=]\S*")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def patient_messages() -> Iterator[str]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    for source in SOURCES:
        for filename, _, message, _, _ in extract_from_dir(
            str(ROOT / source), method_map, options_map
        ):
            if f"{source}/{filename}".startswith(STAFF_ONLY):
                continue
            yield from [message] if isinstance(message, str) else message


def site_file_words() -> Iterator[str]:
    site = tomllib.loads((ROOT / "server/sites/demo/site.toml").read_text(encoding="utf-8"))
    for table in ("delay_reasons", "services", "rooms"):
        for item in site.get(table, []):
            yield item["name"]["en"]


def sentences(message: str) -> list[str]:
    words = NOT_WORDS.sub("it", message).strip()
    # Fewer than three words is a label ("Map"), not a sentence a grade can be given to.
    return [s for s in SENTENCE_END.split(words) if len(s.split()) >= 3]


def grade(sentence: str) -> float:
    textstat.set_lang("en_US")
    return float(textstat.flesch_kincaid_grade(sentence))


def test_the_measure_tells_plain_words_from_hard_ones() -> None:
    assert grade("Please wait here. We will call you soon.") <= HIGHEST_GRADE
    assert grade("Authorisation of administrative documentation is obligatory.") > 12


def test_every_patient_sentence_is_at_or_below_the_sixth_grade() -> None:
    messages = {*patient_messages(), *site_file_words()}
    assert len(messages) > 200
    too_hard = sorted(
        (round(grade(sentence), 1), sentence)
        for message in messages
        for sentence in sentences(message)
        if grade(sentence) > HIGHEST_GRADE and sentence not in FIXED_WORDING
    )
    assert too_hard == []
