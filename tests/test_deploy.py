"""The production settings pass `check --deploy` and refuse to start without their secrets; a web worker starts warm."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(**overrides) -> dict:
    """Return the environment of a production process: base settings, DEBUG off, secrets from the environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="portal.example",
        DATABASE_URL="sqlite:////tmp/x.sqlite3",
        SMS_BACKEND="http",
        SMS_GATEWAY_URL="https://sms.example/messages",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean():
    """`check --deploy --fail-level WARNING` passes with no warning under the production settings."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_is_clean_with_debug_explicitly_false():
    """DJANGO_DEBUG=false is the same as leaving it unset."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_DEBUG="false"))

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    """Without DJANGO_SECRET_KEY the production settings stop with ImproperlyConfigured (no insecure default)."""
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_health_probe_is_not_redirected_to_https():
    """Over plain HTTP the site redirects to HTTPS, except /healthz which load balancers probe."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='portal.example')\n"
        "print(client.get('/healthz').status_code, client.get('/services/').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]


def test_behind_pgbouncer_in_transaction_mode_no_server_side_cursor_is_used():
    """DATABASE_TRANSACTION_POOLING=true sets DISABLE_SERVER_SIDE_CURSORS (a cursor must not outlive the
    transaction PgBouncer lent the connection for); off by default."""
    script = (
        "import django; django.setup(); from django.db import connection\n"
        "print(connection.settings_dict['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    found = []
    for value in ("true", None):
        env = production_env(DATABASE_TRANSACTION_POOLING=value)
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        found.append(result.stdout.strip())

    assert found == ["True", "False"]


def test_a_web_worker_imports_the_views_as_it_starts():
    """Loading the WSGI application imports every view (no database needed), so a new gunicorn worker's first
    caller does not wait for those imports."""
    code = "import sys, portal.wsgi; print('services.documents.apis' in sys.modules)"
    env = production_env(DATABASE_URL="postgres://nobody@127.0.0.1:1/none")

    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert done.stdout.strip() == "True", done.stderr
