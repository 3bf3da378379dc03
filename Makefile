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

.PHONY: run test up lint format messages schema bench audit

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

run: $(STAMP) $(MO)  ## Serve http://127.0.0.1:8000 on SQLite, tasks in-process, email to the console
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=true $(BIN)/python manage.py load_routing_demo
	# The demo's staff logins have a published password and no authenticator app: two factors off (DEBUG only).
	DJANGO_DEBUG=true STAFF_REQUIRE_MFA=false $(BIN)/python manage.py runserver 127.0.0.1:8000

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
