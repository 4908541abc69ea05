"""Languages: every word on every page goes through Babel's message catalogue.

There is one catalogue for every surface (translations/ at the top of the tree), so a
message id has exactly one translation per language wherever it is shown.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import get_locale
from flask_babel import gettext as _

from server.extensions import babel

CATALOGUE = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGE = "en"
# Languages with catalogues. A site offers a subset of these (its `languages`).
LANGUAGES = {"en": "English", "es": "Español"}


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CATALOGUE))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES

    @app.context_processor
    def _page_language() -> dict[str, str]:
        return {"page_language": str(get_locale() or DEFAULT_LANGUAGE)}


def use_language(language: str | None) -> None:
    """Pin this request's language, e.g. to the language a ticket was issued in."""
    if language in LANGUAGES:
        g.waitroom_language = language


def select_language() -> str:
    """The page's own choice first, then ?lang=, then the browser's preference."""
    chosen = g.get("waitroom_language")
    if chosen:
        return str(chosen)
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def text_me_texts() -> dict[str, str]:
    """The words of "Text me when it's my turn" (static/js/lib/text-me.js), the same on
    the phone page and the kiosk's ticket screen."""
    return {
        "texts_invalid": _("This is not a phone number we can text. Check it and try again."),
        "texts_consent": _("Tick the box to agree to receive text messages."),
        "texts_failed": _("We could not turn on texts. Please try again, or see the front desk."),
        # {digits}: the last two digits of the number, all the page ever shows of it.
        "texts_on": _("Texts are on: we will text the number ending in {digits}."),
        "texts_on_short": _("Texts are on."),
    }
