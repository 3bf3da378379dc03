"""The demo identity provider (python -m services.identity.devidp) as a real subprocess on a free port, and helpers
to sign in there."""

import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parents[2]
WEB_CALLBACK = "http://testserver/identity/suishenban/callback/"
APP_REDIRECT = "cn.gov.sh.portal:/identity/callback"


class Idp:
    """A running devidp: its URL, the portal's private_key_jwt key, and a way to misbehave on purpose."""

    def __init__(self, process, url: str, key_file: Path):
        self.process, self.url, self.key_file = process, url, key_file

    def control(self, **what) -> dict:
        return requests.post(f"{self.url}/_control", json=what, timeout=5).json()

    def choose(self, authorization_url: str, sub: str = "demo-adult") -> dict:
        """Do what a person does at the provider: open the page, choose an identity; return the redirect's query."""
        page = requests.get(authorization_url, timeout=5)
        assert page.status_code == 200, page.text
        fields = {unescape(n): unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)}
        fields["sub"] = sub
        answer = requests.post(f"{self.url}/authorize", data=fields, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        location = answer.headers["Location"]
        return {"location": location, **{k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}}


def start_idp(tmp_path: Path, extra_redirects: tuple[str, ...] = ()) -> Idp:
    key = RSAKey.generate_key(2048, parameters={"kid": "portal-key-1"})
    key_file = tmp_path / "portal-key.pem"
    key_file.write_bytes(key.as_pem(private=True))
    redirects = [WEB_CALLBACK, APP_REDIRECT, *extra_redirects]
    clients = [
        {"client_id": "portal", "client_secret": "s3cret", "redirect_uris": redirects},
        {"client_id": "portal-jwt", "jwks": {"keys": [key.as_dict(private=False)]}, "redirect_uris": redirects},
    ]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.identity.devidp",
            "--port",
            "0",
            "--control",
            "--clients",
            json.dumps(clients),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    assert match, f"devidp did not start: {line!r}"
    return Idp(process, match.group(1), key_file)


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    running = start_idp(tmp_path_factory.mktemp("idp"))
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


def provider_config(idp: Idp, *, jwt: bool = False, **extra) -> dict:
    config = {
        "id": "suishenban",
        "issuer": idp.url,
        "name_zh": "随申办（演示）",
        "name_en": "随申办 Suishenban (demo)",
        "app_redirect_uri": APP_REDIRECT,
        **({"client_id": "portal-jwt", "private_key_file": str(idp.key_file), "private_key_kid": "portal-key-1"}
           if jwt else {"client_id": "portal", "client_secret": "s3cret"}),
    }  # fmt: skip
    return {**config, **extra}


@pytest.fixture
def provider(idp, settings):
    settings.IDENTITY_PROVIDERS = [provider_config(idp)]
    return settings.IDENTITY_PROVIDERS[0]
