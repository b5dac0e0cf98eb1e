# Two commands matter: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The marker is rebuilt whenever the lock file changes, so installs stay in step.
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate fixtures lint check bench lock clean editor mutants

$(INSTALLED): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(INSTALLED)

# This checkout's development settings: DEBUG=true and a generated SECRET_KEY.
# Written once, never overwritten, kept out of git (.gitignore). kb/settings.py
# reads it, so every manage.py command works here once it exists; the real
# environment still wins over it. Without it, the settings are production's.
.env:
	@umask 077 && printf '%s\n' \
	  '# Development settings for this checkout, written once by make (README, "Set up").' \
	  '# Variables set in the environment win over these. Delete this file for production behaviour.' \
	  'DEBUG=true' \
	  "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (DEBUG=true and a new SECRET_KEY): manage.py commands now use development settings."

migrate: install .env
	$(BIN)/python manage.py migrate --noinput

# Creates only what the knowledge base lacks: nothing an editor changed or deleted
# is touched or re-created, and the output lists what was skipped. Updating from a
# newer fixture is a separate, reviewed step: `manage.py load_kb --update`.
fixtures: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_kb

# HOST and PORT choose where the development server listens: make run PORT=8001
run: fixtures
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# A staff user in the Editors group, without prompts:
#   make editor username=bob email=bob@example.org
# The password is read from EDITOR_PASSWORD if that is set, else generated and printed once.
editor: migrate
	@test -n "$(username)" || { echo 'Usage: make editor username=bob email=bob@example.org' >&2; exit 2; }
	$(BIN)/python manage.py create_editor '$(username)' --email '$(email)' $${EDITOR_PASSWORD:+--password-from-env EDITOR_PASSWORD}

# Two workers: the suite waits on browsers and subprocesses, so both cores stay busy.
test: install
	$(BIN)/python -m pytest -n $${TEST_WORKERS:-2}

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install .env
	$(BIN)/python manage.py check_kb

# Every page type on PostgreSQL, at the shipped size and at 100,000 claims (generate_kb),
# page cache off: median, p95, queries, bytes against issue 10's targets; exits 1 on a miss.
# Scratch databases on BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kb_bench),
# reused between runs; BENCH_ARGS="--fresh" rebuilds them, "--explain" explains each miss.
bench: install
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

# Mutation testing (README, "Mutation testing"): one module at a time, smallest first,
# each against only its own fast tests on SQLite, so a partial run still gives numbers.
# --no-migrations builds the test tables straight from the models: 5 s less per mutant.
# mutmut_config.py limits interchange.py to its validation. mutmut edits the module in
# place while it runs and restores it; do not edit meanwhile.
MUTMUT_TESTS := $(BIN)/python -m pytest -p no:xdist -x -q --no-migrations
mutmut = echo "== $(1) against $(2)"; \
	$(BIN)/mutmut run --no-progress --paths-to-mutate $(1) --runner "$(MUTMUT_TESTS) $(2)"; \
	$(BIN)/mutmut results
mutants: install
	-@$(call mutmut,articles/dates.py,tests/test_fuzzy_dates.py)
	-@$(call mutmut,articles/anchoring.py,tests/test_anchoring.py)
	-@$(call mutmut,articles/services.py,tests/test_status.py)
	-@$(call mutmut,articles/models.py,tests/test_status.py)
	-@$(call mutmut,articles/interchange.py,tests/test_load_kb.py -k 'not make_fixtures_twice and not admin_edit_survives')

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
