# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/meedoen
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/meedoen_test
HOST ?= 127.0.0.1
PORT ?= 5000
# Rate limits are shared through Redis (several processes and servers count together).
REDIS_URL ?= redis://127.0.0.1:6379/0
export HOST PORT REDIS_URL

.PHONY: run test lint typecheck format install db test-db seed bench clean vendor-console i18n-extract i18n-check

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

db: install
	scripts/ensure-postgis.sh "$(DATABASE_URL)"
	DATABASE_URL="$(DATABASE_URL)" $(BIN)/alembic upgrade head

seed: db
	DATABASE_URL="$(DATABASE_URL)" $(BIN)/flask --app wsgi seed demo

run: seed
	scripts/ensure-redis.sh || echo "!! Redis is not running: rate limits will count per process" >&2
	DATABASE_URL="$(DATABASE_URL)" scripts/serve.sh

# The matcher's kernels compile (numba; ~14 s on a fresh clone, then cached in __pycache__)
# beside the database set-up, so the first test that ranks does not wait for the compiler.
test-db: install
	@$(BIN)/python -c "from matching.vector import warm_up; warm_up()" & warm=$$!; \
	set -e; \
	scripts/ensure-postgis.sh "$(TEST_DATABASE_URL)" --fresh; \
	scripts/ensure-redis.sh; \
	scripts/ensure-chromium.sh; \
	scripts/ensure-openapi-tools.sh; \
	DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/alembic upgrade head; \
	wait $$warm

test: test-db
	DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# mypy: strict on api/ and matching/, bodies of tests/ checked too; settings in pyproject.toml ([tool.mypy]).
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Texts (gettext, api/locale and matching/locale): the .po files are compiled in memory at start.
# i18n-extract: new msgids from the code into every .po (English filled in, others empty);
# i18n-check: fails when Dutch or English lacks a text (tests/unit/test_i18n_catalogue.py too).
i18n-extract: install
	$(BIN)/python -m api.i18n_tools extract

i18n-check: install
	$(BIN)/python -m api.i18n_tools check

vendor-console:
	scripts/vendor-console-assets.sh

clean:
	rm -rf $(VENV) *.egg-info
