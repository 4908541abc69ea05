"""Replies to our texts: what a patient's text message asks for.

A reply is read as one keyword, in any of the shipped languages (a patient may answer
in the language of the texts, or in English, or without accents on a phone that has
none): STATUS (their place and estimate), LEAVE (leave the queue, after a confirming
YES), STOP (no more texts), HELP, LATE (running late: the desk is told). Anything else
is OTHER: the patient is told we cannot read replies, and the desk sees it.

Pure: the service hands in the text and plain values.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum


class Keyword(StrEnum):
    STATUS = "status"
    LEAVE = "leave"
    YES = "yes"
    STOP = "stop"
    HELP = "help"
    LATE = "late"
    OTHER = "other"


# Written as a patient would type them; read without case, accents or end punctuation.
# English has the one-letter forms the texts name (S, R); other languages do not, as a
# letter in one language is a word's start in another.
KEYWORDS: dict[str, dict[Keyword, tuple[str, ...]]] = {
    "en": {
        Keyword.STATUS: ("STATUS", "S"),
        Keyword.LEAVE: ("LEAVE", "R"),
        Keyword.YES: ("YES", "Y"),
        # Twilio's own opt-out words: it stops our texts to a number that sent one.
        Keyword.STOP: ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
        Keyword.HELP: ("HELP", "INFO"),
        Keyword.LATE: ("LATE", "RUNNING LATE", "I AM LATE", "IM LATE", "I'M LATE"),
    },
    "es": {
        Keyword.STATUS: ("ESTADO",),
        Keyword.LEAVE: ("SALIR", "CANCELAR"),
        Keyword.YES: ("SÍ", "SI"),
        Keyword.STOP: ("PARAR", "BAJA"),
        Keyword.HELP: ("AYUDA",),
        Keyword.LATE: ("TARDE", "LLEGO TARDE", "VOY TARDE"),
    },
    "fr": {
        Keyword.STATUS: ("STATUT", "ETAT"),
        Keyword.LEAVE: ("PARTIR", "ANNULER"),
        Keyword.YES: ("OUI",),
        Keyword.STOP: ("ARRET", "ARRETER"),
        Keyword.HELP: ("AIDE",),
        Keyword.LATE: ("RETARD", "EN RETARD"),
    },
    "pt": {
        Keyword.STATUS: ("ESTADO", "SITUACAO"),
        Keyword.LEAVE: ("SAIR", "CANCELAR"),
        Keyword.YES: ("SIM",),
        Keyword.STOP: ("PARAR",),
        Keyword.HELP: ("AJUDA",),
        Keyword.LATE: ("ATRASO", "ATRASADO", "ATRASADA"),
    },
    "pl": {
        Keyword.STATUS: ("STATUS",),
        Keyword.LEAVE: ("WYJDŹ", "ANULUJ"),
        Keyword.YES: ("TAK",),
        Keyword.STOP: ("STOP",),
        Keyword.HELP: ("POMOC",),
        Keyword.LATE: ("SPÓŹNIĘ", "SPÓŹNIĘ SIĘ", "SPÓŹNIENIE"),
    },
    "vi": {
        Keyword.STATUS: ("TRẠNG THÁI",),
        Keyword.LEAVE: ("RỜI", "HỦY"),
        Keyword.YES: ("CÓ",),
        Keyword.STOP: ("DỪNG",),
        Keyword.HELP: ("GIÚP",),
        Keyword.LATE: ("TRỄ", "ĐẾN TRỄ"),
    },
    "zh": {
        Keyword.STATUS: ("状态",),
        Keyword.LEAVE: ("离开", "取消"),
        Keyword.YES: ("是",),
        Keyword.STOP: ("停止", "退订"),
        Keyword.HELP: ("帮助",),
        Keyword.LATE: ("迟到",),
    },
    "ar": {
        Keyword.STATUS: ("حالة", "الحالة"),
        Keyword.LEAVE: ("مغادرة", "إلغاء"),
        Keyword.YES: ("نعم",),
        Keyword.STOP: ("توقف", "إيقاف"),
        Keyword.HELP: ("مساعدة",),
        Keyword.LATE: ("تأخير", "متأخر"),
    },
}

# A YES confirms leaving only this soon after we asked.
CONFIRM_WITHIN = timedelta(minutes=15)
# The most of a patient's own words the desk is shown.
SHOWN_TO_DESK = 160

# Latin, Chinese (full-width) and Arabic end punctuation.
_END_PUNCTUATION = " \t\r\n.!?¡¿,;:\"'\u3002\uff01\uff1f\uff0c\u060c\u061f"


def normalised(text: str) -> str:
    """Upper case, no accents, one space between words, no punctuation at the ends
    ("  sí! " and "SI" are one word). Letters of scripts without case stay as they are."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Polish Ł and Vietnamese Đ are letters of their own, not accented ones.
    plain = plain.replace("ł", "l").replace("Ł", "L").replace("đ", "d").replace("Đ", "D")
    return " ".join(plain.upper().split()).strip(_END_PUNCTUATION)


_READ: dict[str, Keyword] = {
    normalised(word): keyword
    for words in KEYWORDS.values()
    for keyword, forms in words.items()
    for word in forms
}


def read_reply(text: str) -> Keyword:
    """The keyword a patient's text is, or OTHER."""
    return _READ.get(normalised(text), Keyword.OTHER)


def keywords_in(language: str) -> dict[Keyword, str]:
    """The first form of each keyword in a language (English where it has none), for
    the HELP answer."""
    own = KEYWORDS.get(language, {})
    return {keyword: (own.get(keyword) or KEYWORDS["en"][keyword])[0] for keyword in KEYWORDS["en"]}


def confirms_leaving(asked_at: datetime | None, now: datetime) -> bool:
    """Whether a YES now confirms the LEAVE we asked about at `asked_at` (the last
    message we sent this number, if it was that question)."""
    return asked_at is not None and timedelta(0) <= now - asked_at <= CONFIRM_WITHIN


def for_the_desk(text: str) -> str:
    """A patient's reply as the desk sees it: one line, at most SHOWN_TO_DESK characters."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line if len(line) <= SHOWN_TO_DESK else line[: SHOWN_TO_DESK - 1] + "…"
