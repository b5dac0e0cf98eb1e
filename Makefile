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

# Creates only what the knowledge base lacks: nothing an editor changed or deleted
# is touched or re-created, and the output lists what was skipped. Updating from a
# newer fixture is a separate, reviewed step: `manage.py load_kb --update`.
fixtures: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_kb

run: fixtures
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Two workers: the suite waits on browsers and subprocesses, so both cores stay busy.
test: install
	$(BIN)/python -m pytest -n $${TEST_WORKERS:-2}

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

# --- Browsers, page checkers and load (tests/browser/, loadtest/) ----------------
# Debian's Chromium (playwright cannot download browsers here), and the Nu HTML
# Checker pinned in package.json, installed into .venv/node so nothing lands in
# the work tree. Java 17+ runs it; the machine's OpenJDK does.
NODE_DIR := $(VENV)/node
VNU_JAR := $(NODE_DIR)/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: browsers audit loadtest

# --ignore-scripts: vnu-jar's postinstall would download a JDK; the system Java is used.
$(VNU_JAR): package.json package-lock.json
	mkdir -p $(NODE_DIR)
	cp package.json package-lock.json $(NODE_DIR)/
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

browsers: $(VNU_JAR)
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# Only the browser, accessibility and HTML-validity tests; CI=true so none may skip.
audit: install browsers
	CI=$${CI:-true} $(BIN)/python -m pytest tests/browser

# 50 readers for 60 s against gunicorn with production settings on 127.0.0.1.
loadtest: install
	loadtest/run.sh
