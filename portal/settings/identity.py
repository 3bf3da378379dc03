"""Identity: sign-in with external OpenID Connect providers (services.identity)."""

from .env import env

# The trusted providers, a JSON list; each: id, issuer, client_id, name_zh, name_en, and either client_secret (with
# token_auth_method client_secret_basic or client_secret_post) or private_key_file (+ private_key_kid) for
# private_key_jwt; optional assurance (real_name), scope, app_redirect_uri (the mobile app's redirect).
IDENTITY_PROVIDERS = env.json("IDENTITY_PROVIDERS", default=[])
# Seconds to wait for a provider's discovery, keys and token endpoints before telling the resident it is down.
IDENTITY_HTTP_TIMEOUT_SECONDS = env.float("IDENTITY_HTTP_TIMEOUT_SECONDS", default=5)
# allauth's adapter: the portal's own emails (its name, PORTAL_URL, subjects marked 【一网通办】, sent through the
# notifications' email queue with retries; the portal's one client address for the rate limits and the session
# list; failed logins slowing an account down instead of locking it: services/accounts/adapter.py), and signing out
# of a session that came from a provider also ends it there.
ACCOUNT_ADAPTER = "services.identity.views.AccountAdapter"
