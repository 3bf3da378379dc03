# The two commands: `make run` (embedded portal with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
endif

MO := locale/zh_Hans/LC_MESSAGES/django.mo
AXE_VERSION := 4.14.1
AXE := .cache/axe-core-$(AXE_VERSION).stamp
# The image (make image): a Debian base made from Debian's packages, Python's wheels built here; podman runs it.
IMAGE ?= localhost/citizen-portal:latest
BASE_IMAGE ?= localhost/portal-base:bookworm
PODMAN := CONTAINERS_CONF=$(CURDIR)/deploy/containers.conf podman --runtime runc

# `make run`'s identity provider: the demo one (python -m services.identity.devidp) on port 8900, with the client it knows.
IDENTITY_PROVIDERS ?= [{"id": "suishenban", "issuer": "http://127.0.0.1:8900", "client_id": "portal-demo", "client_secret": "demo-secret", "name_zh": "随申办（演示）", "name_en": "随申办 Suishenban (demo)", "app_redirect_uri": "cn.gov.sh.portal:/identity/callback"}]

.PHONY: run test up lint format messages schema bench image audit

# make run PORT=8123 serves on another port
PORT ?= 8000

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

$(MO): locale/zh_Hans/LC_MESSAGES/django.po $(STAMP)  # compiled at set-up, in pure Python (Babel): no gettext needed
	$(BIN)/pybabel compile --statistics -d locale -D django

$(AXE):  # axe-core for the browser accessibility tests, from the npm registry (never a CDN); skipped without npm
	if command -v npm >/dev/null; then \
	  npm install --prefix .cache --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION) && touch $@; fi

run: export DJANGO_DEBUG = true
run: export PORTAL_URL = http://127.0.0.1:$(PORT)
run: $(STAMP) $(MO)  ## Serve http://127.0.0.1:8000 (or PORT=...) on SQLite, tasks in-process, email to the console
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_routing_demo
	$(BIN)/python manage.py load_appointments_demo
	$(BIN)/python manage.py load_demo_history
	$(BIN)/python manage.py load_proactive_demo
	# The local fake payment provider (FakePay, http://127.0.0.1:8765/) runs beside the portal and stops with it.
	# The demo's staff logins have a published password and no authenticator app: two factors off (DEBUG only).
	# The demo identity provider (python -m services.identity.devidp, port 8900) runs beside the portal too, and stops with it.
	$(BIN)/python -m services.payments.fakeserver --port 8765 --secret "$${FAKEPAY_SECRET:-fakepay-local-secret}" & PAY=$$!; \
	  $(BIN)/python -m services.identity.devidp --port 8900 & IDP=$$!; trap "kill $$PAY $$IDP" EXIT INT TERM; \
	  STAFF_REQUIRE_MFA=false IDENTITY_PROVIDERS='$(IDENTITY_PROVIDERS)' \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP) $(MO) $(AXE)  ## Lint, check the layers and run the whole suite (CI=true: PostgreSQL, Redis, Celery workers, Chromium)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the apps' layers (docs/architecture.md)
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive services portal  # each "# nosec" says why
	# A model change without its migration fails here, before the suite (which would build the tables anyway);
	# on an empty in-memory database, whose history check cannot warn about CI's not-yet-created "portal" one.
	DJANGO_SETTINGS_MODULE=portal.settings.test DATABASE_URL=sqlite:///:memory: \
	  $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -v --durations=10 $(PYTEST_ARGS)

up: $(STAMP) $(MO)  ## Full mode: gunicorn, a Celery worker per queue and beat, on PostgreSQL and Redis (settings in .env)
	test -f .env || cp .env.example .env
	set -a && . ./.env && set +a && \
	  $(BIN)/python manage.py migrate --noinput && \
	  $(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	  $(BIN)/honcho start

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

messages: $(STAMP)  ## Collect new strings into django.po (needs GNU gettext's xgettext), then translate them
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --no-obsolete

schema: $(STAMP)  ## Regenerate the committed OpenAPI contract after an intended API change
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py spectacular --lang en --file docs/api/openapi.yaml

audit:  ## The pinned requirements against PyPI's and OSV's vulnerability databases (needs the internet)
	test -x .cache/pip-audit/bin/pip-audit || ($(PYTHON) -m venv .cache/pip-audit && \
	  .cache/pip-audit/bin/pip install --quiet pip-audit==2.10.1)
	.cache/pip-audit/bin/pip-audit --strict --requirement requirements.txt --requirement requirements-dev.txt

bench: $(STAMP) $(MO)  ## Benchmarks against a bare Django/DRF/Celery baseline (PostgreSQL, Redis, wrk); see bench/README.md
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	PYTHONPATH=. $(BIN)/python bench/run.py
	PYTHONPATH=. $(BIN)/python bench/issue21.py  # slot booking under contention, payment notifications
	PYTHONPATH=. $(BIN)/python bench/issue18a.py  # a proactive rule over BENCH_RESIDENTS residents (BENCH_ONLY=proactive)

image: $(STAMP)  ## Build the image (Containerfile) offline: Debian base by mmdebstrap, wheels built on the host
	command -v podman >/dev/null && command -v mmdebstrap >/dev/null && command -v runc >/dev/null || \
	  (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman mmdebstrap runc >/dev/null)
	$(PODMAN) image exists $(BASE_IMAGE) || ( mkdir -p build && \
	  mmdebstrap --quiet --variant=minbase --include=ca-certificates,python3,python3-venv,tzdata \
	    bookworm build/base.tar && $(PODMAN) import build/base.tar $(BASE_IMAGE) && rm build/base.tar )
	# Debian 12's Python is 3.11.2, for which redis also needs async-timeout (markers are evaluated on the host).
	rm -rf build/wheels && $(BIN)/pip wheel --quiet --disable-pip-version-check -r requirements.txt \
	  async-timeout==5.0.1 -w build/wheels
	$(BIN)/hadolint Containerfile
	$(PODMAN) build --network host --build-arg BASE=$(BASE_IMAGE) -t $(IMAGE) -f Containerfile .
