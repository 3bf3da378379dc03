"""The provider's HTTP endpoints, on the standard library's threading HTTP server."""

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from .identities import IDENTITIES

CODE_SECONDS = 60
TOKEN_SECONDS = 300
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# What a test may ask the next ID token to be (POST /_control {"forge": ...}, only with --control).
FORGERIES = {"alg_none", "bad_signature", "expired", "wrong_aud", "wrong_iss", "wrong_nonce"}


class Provider:
    """The provider's state: signing keys (newest first), clients, codes and access tokens, all in memory."""

    def __init__(self, *, issuer: str, clients: list[dict], control: bool = False):
        self.issuer = issuer.rstrip("/")
        self.clients = {client["client_id"]: client for client in clients}
        self.control = control
        self.keys = [self._new_key()]
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.forge: str | None = None
        self.lock = threading.Lock()

    @staticmethod
    def _new_key() -> RSAKey:
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
        key.ensure_kid()
        return key

    def rotate(self) -> None:
        """Sign with a new key from now on; the old one stays published for the tokens it signed."""
        self.keys = [self._new_key(), *self.keys[:1]]

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "family"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
            "claims_supported": ["sub", "name", "birthdate", "resident_id", "email", "email_verified", "family"],
        }

    def jwks(self) -> dict:
        return KeySet(self.keys).as_dict(private=False)

    def claims(self, sub: str, scope: str) -> dict:
        identity = IDENTITIES[sub]
        claims = {"sub": sub, "name": identity["name"], "birthdate": identity["birthdate"]}
        claims["resident_id"] = identity["resident_id"]
        if "email" in scope.split() and identity.get("email"):
            claims.update(email=identity["email"], email_verified=identity["email_verified"])
        if "family" in scope.split():
            claims["family"] = identity["family"]
        return claims

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": grant["client_id"],
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "auth_time": grant["auth_time"],
            "nonce": grant["nonce"],
            "acr": "real-name",
            **self.claims(grant["sub"], grant["scope"]),
        }
        forge, self.forge = self.forge, None
        key = self.keys[0]
        if forge == "expired":
            claims.update(iat=now - 2 * TOKEN_SECONDS, exp=now - TOKEN_SECONDS)
        elif forge == "wrong_aud":
            claims["aud"] = "someone-else"
        elif forge == "wrong_iss":
            claims["iss"] = "https://impostor.example"
        elif forge == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif forge == "bad_signature":
            key = self._new_key()
            key = RSAKey.import_key(key.as_dict(private=True) | {"kid": self.keys[0].kid})
        elif forge == "alg_none":
            segments = [{"alg": "none", "typ": "JWT", "kid": key.kid}, claims]
            encoded = (base64.urlsafe_b64encode(json.dumps(s).encode()).rstrip(b"=").decode() for s in segments)
            return ".".join(encoded) + "."
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def authenticate_client(self, form: dict, authorization: str) -> dict | None:
        """Return the client the token request authenticates as (secret, basic or post, or private_key_jwt)."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if form.get("client_assertion_type") == ASSERTION_TYPE:
            return self._assertion_client(form.get("client_assertion", ""))
        client = self.clients.get(client_id or "")
        if client and client.get("client_secret") and secrets.compare_digest(client["client_secret"], secret or ""):
            return client
        return None

    def _assertion_client(self, assertion: str) -> dict | None:
        client_id = _unverified_claims(assertion).get("sub")  # which client's keys to check it with
        client = self.clients.get(client_id or "")
        if not client or "jwks" not in client:
            return None
        try:
            claims = jwt.decode(assertion, KeySet.import_key_set(client["jwks"]), algorithms=["RS256"]).claims
            registry = jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": client_id},
                aud={"essential": True, "value": f"{self.issuer}/token"},
                exp={"essential": True},
                jti={"essential": True},
            )
            registry.validate(claims)
        except (JoseError, ValueError):
            return None
        return client


def _unverified_claims(token: str) -> dict:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Handler(BaseHTTPRequestHandler):
    provider: Provider  # set by make_server

    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass  # quiet: the portal's tests start this server

    # --- plumbing ------------------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _html(self, status: int, title: str, body: str) -> None:
        page = (
            f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            "<style>body{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
            "button{font-size:1rem;padding:.6rem 1rem;margin:.3rem 0;width:100%;text-align:left}</style>"
            f"</head><body><main><h1>{title}</h1>{body}</main></body></html>"
        )
        self._send(status, page.encode(), "text/html; charset=utf-8")

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    def _form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return json.loads(raw or "{}")
        return {name: values[0] for name, values in parse_qs(raw).items()}

    def _query(self) -> dict:
        return {name: values[0] for name, values in parse_qs(urlsplit(self.path).query).items()}

    # --- routes --------------------------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802 (the standard library's name)
        route = urlsplit(self.path).path
        provider = self.provider
        if route == "/.well-known/openid-configuration":
            return self._json(200, provider.metadata())
        if route == "/jwks":
            return self._json(200, provider.jwks())
        if route == "/authorize":
            return self.authorize_page(self._query())
        if route == "/userinfo":
            grant = provider.tokens.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
            if grant is None or grant["expires"] < time.time():
                return self._json(401, {"error": "invalid_token"})
            return self._json(200, provider.claims(grant["sub"], grant["scope"]))
        if route == "/logout":
            return self.logout(self._query())
        return self._json(404, {"error": "not_found"})

    def do_POST(self):  # noqa: N802 (the standard library's name)
        route = urlsplit(self.path).path
        if route == "/authorize":
            return self.authorize_choose(self._form())
        if route == "/token":
            return self.token(self._form())
        if route == "/_control" and self.provider.control:
            return self.control(self._form())
        return self._json(404, {"error": "not_found"})

    def _check_authorization(self, params: dict) -> str | None:
        """Return what is wrong with an authorization request, or None."""
        client = self.provider.clients.get(params.get("client_id", ""))
        if client is None or params.get("redirect_uri") not in client["redirect_uris"]:
            return "unknown client or redirect_uri"
        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            return "response_type must be code and scope must include openid"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE (code_challenge with S256) is required"
        if not params.get("nonce") or not params.get("state"):
            return "state and nonce are required"
        return None

    def authorize_page(self, params: dict) -> None:
        problem = self._check_authorization(params)
        if problem:
            return self._html(400, "随申办 (demo): 请求无效 / Invalid request", f"<p>{html.escape(problem)}</p>")
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
            for name, value in params.items()
        )
        buttons = "".join(
            f'<button type="submit" name="sub" value="{sub}">{html.escape(i["name"])} · {html.escape(i["name_en"])}'
            f"</button>"
            for sub, i in IDENTITIES.items()
        )
        self._html(
            200,
            "随申办 (demo) · Suishenban (demo)",
            "<p>选择一个演示身份登录。/ Choose a demo identity to sign in with.</p>"
            f'<form method="post" action="/authorize">{hidden}{buttons}</form>',
        )

    def authorize_choose(self, form: dict) -> None:
        problem = self._check_authorization(form)
        if problem or form.get("sub") not in IDENTITIES:
            return self._html(400, "随申办 (demo): 请求无效 / Invalid request", f"<p>{html.escape(problem or '')}</p>")
        code = secrets.token_urlsafe(24)
        with self.provider.lock:
            self.provider.codes[code] = {
                **{k: form[k] for k in ("client_id", "redirect_uri", "nonce", "code_challenge", "scope", "sub")},
                "auth_time": int(time.time()),
                "expires": time.time() + CODE_SECONDS,
            }
        separator = "&" if "?" in form["redirect_uri"] else "?"
        self._redirect(f"{form['redirect_uri']}{separator}{urlencode({'code': code, 'state': form['state']})}")

    def token(self, form: dict) -> None:
        provider = self.provider
        client = provider.authenticate_client(form, self.headers.get("Authorization", ""))
        if client is None:
            return self._json(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return self._json(400, {"error": "unsupported_grant_type"})
        with provider.lock:
            grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
        if (
            grant is None
            or grant["expires"] < time.time()
            or grant["client_id"] != client["client_id"]
            or grant["redirect_uri"] != form.get("redirect_uri")
            or _s256(form.get("code_verifier", "")) != grant["code_challenge"]
        ):
            return self._json(400, {"error": "invalid_grant"})
        access_token = secrets.token_urlsafe(24)
        with provider.lock:
            provider.tokens[access_token] = {**grant, "expires": time.time() + TOKEN_SECONDS}
            id_token = provider.id_token(grant)
        self._json(
            200,
            {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS, "id_token": id_token},  # nosec B105  # a token type
        )

    def logout(self, params: dict) -> None:
        target = params.get("post_logout_redirect_uri", "")
        origins = {
            urlsplit(uri)._replace(path="", query="").geturl()
            for client in self.provider.clients.values()
            for uri in client["redirect_uris"]
        }
        if target and urlsplit(target)._replace(path="", query="").geturl() in origins:
            return self._redirect(target)
        self._html(200, "随申办 (demo)", "<p>您已退出。/ You are signed out.</p>")

    def control(self, form: dict) -> None:
        with self.provider.lock:
            if form.get("rotate"):
                self.provider.rotate()
            if form.get("forge") in FORGERIES:
                self.provider.forge = form["forge"]
        self._json(200, {"kid": self.provider.keys[0].kid, "forge": self.provider.forge})


def make_server(*, host: str, port: int, issuer: str | None, clients: list[dict], control: bool):
    """Return the HTTP server (not yet serving); port 0 picks a free one, the issuer defaults to its address."""
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    issuer = issuer or f"http://{host}:{server.server_address[1]}"
    Handler.provider = Provider(issuer=issuer, clients=clients, control=control)
    return server
