"""Pages speak the visitor's language: ?lang=, then the cp_lang cookie, then Accept-Language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from contactpoint.core.config import Settings
from contactpoint.core.i18n import LANGUAGES, LOCALE_DIR

HTML = {"accept": "text/html"}


def test_error_page_in_french_with_lang_parameter(client: TestClient) -> None:
    response = client.get("/no-such-page?lang=fr", headers=HTML)
    assert response.status_code == 404
    assert '<html lang="fr">' in response.text
    assert "Retour à la page d'accueil" in response.text
    assert "Signaler un acte de cybercriminalité" in response.text
    # The choice sticks for the next pages through the cookie.
    assert response.cookies.get("cp_lang") == "fr"
    again = client.get("/no-such-page", headers=HTML)
    assert "Connexion du personnel" in again.text


def test_browser_language_is_used_when_none_chosen(client: TestClient) -> None:
    response = client.get("/no-such-page", headers={**HTML, "accept-language": "de-AT,de;q=0.9"})
    assert "Zurück zur Startseite" in response.text


def test_unknown_language_falls_back_to_english(client: TestClient) -> None:
    response = client.get("/no-such-page?lang=xx", headers=HTML)
    assert '<html lang="en">' in response.text
    assert "Back to the start page" in response.text


def _catalog(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_language_has_a_catalog_that_translates_the_page_shell(lang: str) -> None:
    """The shared shell (web/templates) is on every page, so it is translated everywhere."""
    with _catalog(lang).open("rb") as fh:
        catalog = read_po(fh)
    assert catalog.locale is not None and str(catalog.locale) == lang
    if lang == "en":
        return  # the source language
    shell = [
        m for m in catalog if m.id and any("web/templates/" in path for path, _ in m.locations)
    ]
    assert shell, "the web/templates strings are missing from the catalog; run make i18n-update"
    untranslated = [m.id for m in shell if not m.string]
    assert not untranslated, f"{lang}: translate {untranslated} in {_catalog(lang)}"


def test_default_language_setting_applies_when_the_browser_asks_for_none(
    settings: Settings,
) -> None:
    from contactpoint.app import create_app

    app = create_app(settings.model_copy(update={"default_language": "nl"}))
    with TestClient(app) as client:
        response = client.get("/no-such-page", headers=HTML)
    app.state.engine.dispose()
    assert '<html lang="nl">' in response.text
    assert "Terug naar de startpagina" in response.text


def _strings_in_the_code() -> set[str]:
    """Every msgid that babel.cfg's extraction finds in the code and templates now."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(__file__).resolve().parents[2]
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    out: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map
    ):
        out.add(message if isinstance(message, str) else message[0])
    return out


def test_every_string_on_a_page_is_translated_in_every_language() -> None:
    """A string added to a page or a message without ``make i18n-update`` and a
    translation shows in English to everyone: this names the strings and the languages."""
    wanted = _strings_in_the_code()
    assert len(wanted) > 500
    missing: dict[str, list[str]] = {}
    for lang in sorted(set(LANGUAGES) - {"en"}):
        with _catalog(lang).open("rb") as fh:
            catalog = read_po(fh)
        done = {
            m.id if isinstance(m.id, str) else m.id[0]
            for m in catalog
            if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
        }
        gaps = sorted(wanted - done)
        if gaps:
            missing[lang] = gaps
    assert not missing, f"run make i18n-update and translate: {missing}"
