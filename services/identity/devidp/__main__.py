"""``python -m services.identity.devidp``: serve the demo provider (``make run`` starts it beside the portal)."""

import argparse
import json
import os

from .server import make_server

# The client `make run`'s portal uses (IDENTITY_PROVIDERS in the Makefile), and the mobile app's redirect.
DEMO_CLIENTS = [
    {
        "client_id": "portal-demo",
        "client_secret": "demo-secret",  # nosec B105  # the demo client's published secret (make run)
        "redirect_uris": [
            "http://127.0.0.1:8000/identity/suishenban/callback/",
            "cn.gov.sh.portal:/identity/callback",
        ],
    }
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="devidp", description="随申办 (demo): a local OpenID Connect provider")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900, help="0 picks a free port (printed on start)")
    parser.add_argument("--issuer", help="default: http://HOST:PORT")
    parser.add_argument("--clients", help="JSON list of clients (client_id, client_secret or jwks, redirect_uris)")
    parser.add_argument("--control", action="store_true", help="tests only: POST /_control rotates keys, forges")
    args = parser.parse_args()
    clients = json.loads(args.clients) if args.clients else DEMO_CLIENTS
    server = make_server(host=args.host, port=args.port, issuer=args.issuer, clients=clients, control=args.control)
    print(f"devidp listening on http://{args.host}:{server.server_address[1]} pid {os.getpid()}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
