# Two commands for a fresh clone (see README.md):
#   make run   — install, migrate, load the demo cluster and serve http://127.0.0.1:8000
#   make test  — install and run the whole test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000

.PHONY: install run serve test lint check format migrate demo worker beat gunicorn bench clean

install: $(STAMP)
	@scripts/install-system.sh || echo "(Pango or the Liberation fonts are missing: PDF documents cannot be made until they are installed)"

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo --if-empty

run: demo
	$(BIN)/python manage.py runserver $(HOST)

test: install
	@scripts/install-system.sh --browser || echo "(no Chromium: the browser tests will be skipped outside CI)"
	TESTING=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# The static checks, each failing the target when it fails (CI runs them before the tests;
# .pre-commit-config.yaml runs the same). makemigrations reads the models only: embedded SQLite in
# memory, whatever DATABASE_URL says. mypy and lint-imports read their settings from pyproject.toml.
CHECK_ENV := TESTING=1 DATABASE_URL= SQLITE_PATH=:memory:

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(CHECK_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(CHECK_ENV) $(BIN)/mypy emulation clusters scoring

check: lint

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production shape (PostgreSQL + Redis): set DATABASE_URL and CELERY_BROKER_URL first.
worker: install
	nice -n 10 $(BIN)/celery -A emulation worker --loglevel=INFO --concurrency=2 -Q celery,recompute-bulk

beat: install
	$(BIN)/celery -A emulation beat --loglevel=INFO --schedule=var/celerybeat-schedule

gunicorn: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn emulation.wsgi:application --bind $(HOST) --workers 3

bench: install
	$(BIN)/python manage.py bench_scoring

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles .pytest_cache
