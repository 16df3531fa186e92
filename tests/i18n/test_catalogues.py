"""The shipped translations: complete, placeholders intact, and the compiled .mo in step with the .po."""

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\{[^}]*\}\}")


def _catalog(code: str):
    with (LOCALE / code / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=code.replace("-", "_"))


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated(code):
    catalog = _catalog(code)
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert len(catalog) > 500
    assert missing == [] and fuzzy == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_their_placeholders(code):
    wrong = []
    for m in _catalog(code):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            # Plural forms may drop the count (Persian "one customer" needs no number).
            found = sorted(PLACEHOLDER.findall(text))
            if found != wanted and sorted(set(found)) != sorted(set(wanted) - {"%(n)d", "%(n)s"}):
                wrong.append((ids[0], text))
    assert wrong == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source(code):
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(code))
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    with (LOCALE / code / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = {k for k in expected if k and expected[k] != shipped.get(k)}
    assert not stale, f"run `make messages`: {len(stale)} entries of {code} differ from django.mo"
