"""The Chinese catalogue is complete and compiles at set-up without GNU gettext."""

from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_compiles_without_gettext(tmp_path):
    """The set-up compiles django.po with Babel (pure Python); every entry must survive, none fuzzy."""
    from babel.messages.mofile import read_mo, write_mo
    from babel.messages.pofile import read_po

    with PO.open("rb") as po:
        catalog = read_po(po)
    with (tmp_path / "django.mo").open("wb") as mo:
        write_mo(mo, catalog)
    with (tmp_path / "django.mo").open("rb") as mo:
        compiled = read_mo(mo)
    assert len(compiled) == len(catalog) > 150


def test_every_message_has_a_chinese_translation():
    """No msgid is left without its msgstr (the header aside), and none is marked fuzzy."""
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""') or 'msgstr[0] ""' in e]
    assert not untranslated, untranslated[:3]
    assert "#, fuzzy" not in text


@pytest.mark.django_db
def test_pages_speak_chinese_by_default_and_english_on_request(client):
    """The default language is 简体中文; Accept-Language: en gives English."""
    assert "跳至主要内容" in client.get("/").content.decode()
    assert "Skip to main content" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Pudong New Area") == "浦东新区"
