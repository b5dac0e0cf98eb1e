# Two commands matter: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The marker is rebuilt whenever the lock file changes, so installs stay in step.
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate fixtures lint check bench lock clean

$(INSTALLED): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(INSTALLED)

migrate: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput

# Loading is idempotent: running it again changes nothing.
fixtures: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_kb

run: fixtures
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py check_kb

# Page latency against targets, and query counts that must not grow with the data.
bench: install
	$(BIN)/python bench/pages.py

lock:
	rm -rf /tmp/kb-lock && $(PYTHON) -m venv /tmp/kb-lock
	/tmp/kb-lock/bin/pip install --quiet -r requirements.in
	(echo "# Exact versions of everything requirements.in pulls in: \`make lock\` regenerates this file."; \
	 /tmp/kb-lock/bin/pip freeze) > requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
