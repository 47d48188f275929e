# MinQing Map. Two commands: `make run` and `make test`. Both are idempotent.
SHELL := /bin/bash
# Debian's own Python when there is one: the server drops to an unprivileged user
# (minqing), who must be able to run the interpreter (a pyenv under /root is out of reach).
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
VENV := .venv
# A venv made from another interpreter than $(PYTHON) is removed here, before make looks
# at it, so that the rules below make it again from $(PYTHON).
_ := $(shell scripts/venv-base.sh $(VENV) $(PYTHON) >&2)
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint bench system system-test clean-data

run: system $(VENV)/.runtime
	$(PY) app.py run

# Unit tests first, with the database out of reach (they must not need it); then the
# integration tests, a file per worker process (pytest-xdist; each worker has a test
# database of its own); then the browser tests on their own, as their waits expect.
NO_DATABASE := postgresql+psycopg2://nobody@/none?host=/nonexistent
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
test: system-test $(VENV)/.dev
	MINQING_DATABASE_URL='$(NO_DATABASE)' $(PY) -m pytest tests/unit
	$(PY) app.py db start
	$(PY) -m pytest tests/integration -n $(TEST_WORKERS) --dist loadfile
	$(PY) -m pytest tests/e2e

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: system $(VENV)/.runtime
	$(PY) bench/density.py
	$(PY) bench/ingest.py
	$(PY) bench/briefing.py
	$(PY) bench/analytics.py
	$(PY) bench/route.py
	$(PY) bench/screens.py
	$(PY) bench/import.py
	$(PY) bench/scale.py
	$(PY) bench/writers.py
	$(PY) bench/hot_screens.py
	$(PY) bench/redraw.py
	$(PY) bench/load.py
	$(PY) bench/load.py --walls 100

system:
	@scripts/system-deps.sh run

system-test:
	@scripts/system-deps.sh test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

clean-data:
	-$(PY) app.py db stop
	rm -rf .data
