"""The static files' storage outside DEBUG (portal/staticfiles.py): WhiteNoise's, each address worked out once."""

import pytest

from portal.staticfiles import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_files_address_is_asked_of_the_manifest_once(storage, monkeypatch):
    asked = []
    monkeypatch.setattr(storage, "stored_name", lambda name: asked.append(name) or name.replace(".css", ".0a1b2c.css"))

    addresses = [storage.url("admin/css/base.css") for _ in range(3)]

    assert addresses == ["/static/admin/css/base.0a1b2c.css"] * 3
    assert asked == ["admin/css/base.css"]
    assert storage.url("css/caseworker.css") == "/static/css/caseworker.0a1b2c.css"  # each name its own address
    storage.url("admin/css/base.css", force=True)
    assert asked == ["admin/css/base.css", "css/caseworker.css", "admin/css/base.css"]  # forced: asked again


def test_a_missing_file_fails_every_time(storage):
    """As Django's: a name the manifest lacks is an error, on every request (a failure is not kept)."""
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("nowhere.css")
