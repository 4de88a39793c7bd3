"""Translations with Babel: gettext catalogs under contactpoint/locale, chosen per request."""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from jinja2 import Environment

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pl": "Polski",
    "nl": "Nederlands",
}
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT)


@cache
def translations(lang: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def set_language(lang: str) -> None:
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def current_language() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(current_language()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ungettext(singular, plural, n)


_ = gettext


def negotiate(
    query_lang: str | None, cookie_lang: str | None, accept: str | None, default: str = DEFAULT
) -> str:
    """Pick the page language: ?lang=, then the cookie, then Accept-Language, then ``default``
    (CONTACTPOINT_DEFAULT_LANGUAGE)."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return str(candidate)
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default if default in LANGUAGES else DEFAULT


def install_jinja(env: Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
