# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The shipped translations are complete and keep every placeholder and
every piece of markup of the source strings."""

import re
from pathlib import Path

import polib
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
I18N_DIR = REPO_ROOT / "debt_negotiation" / "i18n"
POT_PATH = I18N_DIR / "debt_negotiation.pot"
LANGUAGES = ("fr", "de", "es")
# every addon of the repository ships its .pot and the three translations
ADDON_NAMES = sorted(path.parent.name for path in REPO_ROOT.glob("*/__manifest__.py"))

# %s, %d, %(name)s, {{ placeholder }} (letter wording), {0}
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]+\)[sd]|%[sd]|\{\{\s*[\w.]+\s*\}\}|\{\d*\}")
TAG = re.compile(r"</?([a-zA-Z][\w:-]*)")
# QWeb directives and expressions are code, never translated.
QWEB_ATTRIBUTE = re.compile(r"\bt-[\w-]+=\"[^\"]*\"")


def _pot_entries(addon="debt_negotiation"):
    pot = REPO_ROOT / addon / "i18n" / f"{addon}.pot"
    return [entry for entry in polib.pofile(str(pot)) if entry.msgid]


@pytest.fixture(
    scope="module",
    params=[(addon, lang) for addon in ADDON_NAMES for lang in LANGUAGES],
    ids=lambda param: "-".join(param),
)
def translation(request):
    addon, lang = request.param
    path = REPO_ROOT / addon / "i18n" / f"{lang}.po"
    assert path.is_file(), f"{addon}/i18n/{lang}.po is missing"
    return lang, polib.pofile(str(path)), addon


def test_pot_has_the_letter_texts():
    msgids = {entry.msgid for entry in _pot_entries()}
    assert len(msgids) > 300
    for text in ("Final Notice", "Payment Plan", "Down payment", "Counter-offer"):
        assert any(text in msgid for msgid in msgids), text


def test_header_declares_language(translation):
    lang, po, _addon = translation
    assert po.metadata.get("Language") == lang
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")


def test_every_term_translated(translation):
    lang, po, addon = translation
    translated = {entry.msgid: entry.msgstr for entry in po if entry.msgstr.strip()}
    missing = [e.msgid[:70] for e in _pot_entries(addon) if e.msgid not in translated]
    assert not missing, f"{lang}.po misses {len(missing)} terms, e.g. {missing[:5]}"


def test_no_fuzzy_or_obsolete(translation):
    lang, po, _addon = translation
    assert not [e.msgid[:70] for e in po.fuzzy_entries()], f"{lang}.po has fuzzy"
    assert not po.obsolete_entries(), f"{lang}.po has obsolete entries"


def test_placeholders_and_markup_kept(translation):
    lang, po, _addon = translation
    problems = []
    for entry in po:
        if not entry.msgstr:
            continue
        source, target = entry.msgid, entry.msgstr
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
            problems.append(("placeholders", source[:60], target[:60]))
        if sorted(TAG.findall(source)) != sorted(TAG.findall(target)):
            problems.append(("tags", source[:60], target[:60]))
        if sorted(QWEB_ATTRIBUTE.findall(source)) != sorted(
            QWEB_ATTRIBUTE.findall(target)
        ):
            problems.append(("qweb", source[:60], target[:60]))
    assert not problems, f"{lang}.po: {len(problems)} problems, e.g. {problems[:3]}"


def test_translations_really_translate(translation):
    """Guard against a copied template: most texts differ from English."""
    lang, po, _addon = translation
    entries = [e for e in po if e.msgstr and len(e.msgid) > 25]
    same = [e for e in entries if e.msgstr.strip() == e.msgid.strip()]
    assert len(same) < 0.05 * len(entries), (
        f"{lang}.po leaves {len(same)} of {len(entries)} long texts in English"
    )
