"""随申办 (demo): a local OpenID Connect provider to develop and test the portal's identity login against.

A development and test double, never a production provider: it keeps its codes and keys in memory and lets anyone
choose one of its demo identities. It speaks what the portal needs of a real provider: discovery, the
authorization code flow with PKCE (S256) and nonce, RS256 ID tokens with a ``kid`` from a published JWKS,
client authentication by secret (basic or post) or ``private_key_jwt``, userinfo and an end-session endpoint.
``python -m services.identity.devidp --help`` for its options.
"""
