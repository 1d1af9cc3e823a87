# Recall: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test run serve test test-sqlite test-postgres lint format migrate demo clean

$(BIN)/python:
	./scripts/bootstrap-venv "$(PYTHON)" "$(VENV)"

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: collectstatic, migrate, gunicorn (DEBUG off, JSON logs; see README).
serve: install
	HOST=$(HOST) PORT=$(PORT) PYTHON=$(BIN)/python ./scripts/serve

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on SQLite, then again on a throwaway PostgreSQL server.
test: lint
	./scripts/install-test-deps
	./scripts/run-pytest $(BIN)/pytest $(PYTEST_ARGS)
	./scripts/with-postgres ./scripts/run-pytest $(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: lint
	./scripts/install-test-deps
	./scripts/run-pytest $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install-test
	./scripts/install-test-deps
	./scripts/with-postgres ./scripts/run-pytest $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
