# The two commands a newcomer needs: `make demo` and `make test`. Both create or reuse .venv and install the pinned
# dependencies (requirements.lock.txt) on first use; both are idempotent.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint venv clean focus-venv spark-venv bench

venv: $(STAMP)

$(STAMP): requirements.lock.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Build a demo AI-spend warehouse on embedded DuckDB (.warehouse/demo) and print what it found.
demo: $(STAMP)
	$(VENV)/bin/ai-finops demo

## focus-validator in its own virtualenv (needs Python >= 3.12; conflicts with dbt's dependencies), pinned by
## requirements-focus.lock.txt. Without python3.12/3.13 it warns and the FOCUS validation test skips (fails under CI).
FOCUS_VENV ?= .venv-focus
FOCUS_STAMP := $(FOCUS_VENV)/.installed
FOCUS_PYTHON ?= $(shell for candidate in python3.12 python3.13 \
	$$(ls -d "$$(pyenv root 2>/dev/null)"/versions/3.1[23]*/bin/python3 2>/dev/null); do \
	"$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$candidate"; break; }; done)

focus-venv: $(FOCUS_STAMP)

$(FOCUS_STAMP): requirements-focus.lock.txt
	@if [ -z "$(FOCUS_PYTHON)" ]; then \
		echo "focus-venv: no Python >= 3.12 found (python3.12, python3.13, pyenv); FOCUS validation will be skipped"; \
	else \
		test -x $(FOCUS_VENV)/bin/python || $(FOCUS_PYTHON) -m venv $(FOCUS_VENV); \
		$(FOCUS_VENV)/bin/python -m pip install --quiet --no-deps -r requirements-focus.lock.txt && touch $(FOCUS_STAMP); \
	fi

## Spark target (dbt-spark session mode, local pyspark) in its own virtualenv: requirements.lock.txt plus
## requirements-spark.lock.txt (pyspark's jars make it about 900 MB, so the default .venv stays without them).
## Running Spark needs Java 17+ (.ci/run installs one when missing).
SPARK_VENV ?= .venv-spark
SPARK_PY := $(SPARK_VENV)/bin/python
SPARK_STAMP := $(SPARK_VENV)/.installed

spark-venv: $(SPARK_STAMP)

$(SPARK_STAMP): requirements.lock.txt requirements-spark.lock.txt pyproject.toml
	test -x $(SPARK_PY) || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_PY) -m pip install --quiet -r requirements.lock.txt -r requirements-spark.lock.txt
	$(SPARK_PY) -m pip install --quiet --no-deps -e .
	touch $(SPARK_STAMP)

## Run the whole test suite: DuckDB always, PostgreSQL when reachable (always under CI=true), Spark when Java is there
## (always under CI=true). It runs in .venv-spark, which holds everything .venv holds plus dbt-spark and pyspark.
test: $(SPARK_STAMP) focus-venv
	SPARK_LOCAL_IP=127.0.0.1 $(SPARK_PY) -m pytest tests/python

## Lint models and macros with sqlfluff (also part of `make test`).
lint: $(STAMP)
	$(VENV)/bin/sqlfluff lint models macros analyses

## Benchmark (not a test): generate BENCH_SPANS spans, load, full and incremental dbt build per engine, the
## hand-written floor and the genai-prices peer; rewrites the generated section of BENCHMARKS.md.
## `make bench BENCH_SPANS=10000000 BENCH_ENGINES=duckdb,postgres,spark`. Work files in BENCH_WORK; BENCH_DATA=dir
## reuses a dataset generated earlier with the same span count (generation is not timed again).
BENCH_SPANS ?= 1000000
BENCH_ENGINES ?= duckdb
BENCH_WORK ?= .warehouse/bench
bench: $(STAMP)
	$(PY) benchmarks/bench.py run --spans $(BENCH_SPANS) --engines $(BENCH_ENGINES) --work $(BENCH_WORK) \
		$(if $(BENCH_DATA),--data $(BENCH_DATA)) \
		--command "make bench BENCH_SPANS=$(BENCH_SPANS) BENCH_ENGINES=$(BENCH_ENGINES)$(if $(BENCH_DATA), BENCH_DATA=$(BENCH_DATA))"

clean:
	rm -rf .warehouse target logs
