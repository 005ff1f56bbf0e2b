# Two commands do everything: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
NPM_STAMP := node_modules/.installed-$(shell cat package-lock.json | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup setup-test lint pytest browser-deps migrate messages serve stop-db clean-db

# Development only: DEBUG on (settings.py defaults it to off). Target-specific,
# so it also holds for the `migrate` step that demo and serve depend on.
demo serve: export DJANGO_DEBUG = true
demo: setup migrate ## set up, load the demo network and run web + worker
	$(PY) manage.py seed_demo
	$(PY) manage.py embed_all
	$(PY) manage.py refresh_recommendations
	$(PY) manage.py setup_schedules
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops the web server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py qcluster & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: setup-test browser-deps lint pytest ## set up and run every check and test (ruff, mypy, pytest)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,sentence-transformers]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

setup: $(STAMP) $(NPM_STAMP)

setup-test: setup

# Debian's Chromium for the Playwright tests (Playwright's own browser download
# cannot work offline), a Japanese font for screenshots, poppler for PDFs, and
# wrk for bench_pages.
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v wrk >/dev/null || ! dpkg -s fonts-ipafont-gothic >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic poppler-utils wrk >/dev/null; \
	  else \
	    echo "Install chromium, fonts-ipafont-gothic, poppler-utils and wrk (sudo apt-get install ...)"; exit 1; \
	  fi; \
	fi

migrate: setup
	$(PY) manage.py migrate --no-input

lint: setup ## ruff (lint and format) and mypy with django-stubs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

pytest: setup
	$(VENV)/bin/pytest

# Regenerate and compile translations (needs GNU gettext).
messages: setup
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=artifacts
	$(PY) manage.py compilemessages -l en --ignore=.venv --ignore=node_modules

serve: setup migrate
	@trap 'kill 0' EXIT INT TERM; $(PY) manage.py qcluster & $(PY) manage.py runserver $(HOST):$(PORT)

stop-db: ## stop the embedded PostgreSQL server (it outlives killed processes)
	$(PY) -m config.embedded_db stop

clean-db: stop-db ## delete the embedded database (asks first)
	@read -p "Delete var/pgdata and all local data? [y/N] " ok && [ "$$ok" = "y" ] && rm -rf var/pgdata || echo "Kept."
