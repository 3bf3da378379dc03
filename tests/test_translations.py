"""The committed Chinese catalogue is complete and its compiled .mo is up to date."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from tests.conftest import unavailable

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_compiled_catalogue_matches_the_po_file(tmp_path):
    """`make messages` was run after the last change to django.po (msgfmt output is byte-identical)."""
    if not shutil.which("msgfmt"):
        unavailable("checking the compiled catalogue needs GNU gettext's msgfmt")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run `make messages` and commit locale/"


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
