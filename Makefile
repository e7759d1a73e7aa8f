# The two commands a newcomer needs: `make demo` and `make test`. Both create or reuse .venv and install the pinned
# dependencies (requirements.lock.txt) on first use; both are idempotent.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint venv clean

venv: $(STAMP)

$(STAMP): requirements.lock.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## Build a demo AI-spend warehouse on embedded DuckDB (.warehouse/demo) and print what it found.
demo: $(STAMP)
	$(VENV)/bin/ai-finops demo

## Run the whole test suite: DuckDB always, PostgreSQL when reachable (always under CI=true).
test: $(STAMP)
	$(PY) -m pytest tests/python

## Lint models and macros with sqlfluff (also part of `make test`).
lint: $(STAMP)
	$(VENV)/bin/sqlfluff lint models macros analyses

clean:
	rm -rf .warehouse target logs
