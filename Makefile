# saas_segments — every entry point starts from a pinned virtualenv (.venv).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed-stamp

SCALE ?= demo
SEED ?= 42
RAW_DIR ?= data/raw/demo
WAREHOUSE ?= warehouse/saas_segments.duckdb
# development builds (no quality gates, never published) go to their own file
DEV_WAREHOUSE ?= warehouse/dev/saas_segments.duckdb
# duckdb (the embedded file), postgres (the SAAS_PG_* server; see README "Serving on PostgreSQL")
# or spark (a local Spark session; see README "Apache Spark")
TARGET ?= duckdb
# the local Spark session's metastore, warehouse files and logs
SPARK_DIR ?= .cache/spark
ACCURACY_SCALE ?= s
ACCURACY_RAW = data/raw/$(ACCURACY_SCALE)-$(SEED)
TEST_WAREHOUSE := .cache/test/saas_segments.duckdb
TEST_LOGS := .cache/test/
TEST_WORKERS ?= 2
# one file per worker at a time, in tests/conftest.py's order (longest first; xdist would
# otherwise reorder the files by their number of tests)
PYTEST = $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export SAAS_DUCKDB_PATH := $(abspath $(WAREHOUSE))

.PHONY: help venv run test demo-data generate build build-dev build-postgres build-spark pg-bi-user lint pytest accuracy bench report docs clean lock

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $(STAMP)

venv: $(STAMP)  ## create .venv with the pinned dependencies

data/raw/demo/_truth/manifest.json: $(STAMP) $(wildcard saas_segments/generator/*.py)
	$(BIN)/python -m saas_segments.generator --scale demo --seed 42 --out data/raw/demo

demo-data: data/raw/demo/_truth/manifest.json  ## generate the demo raw dir (data/raw/demo)

generate: $(STAMP)  ## generate a raw dir: make generate SCALE=demo|s|m|l SEED=n [OUT=dir]
	$(BIN)/python -m saas_segments.generator --scale $(SCALE) --seed $(SEED) --out $(or $(OUT),data/raw/$(SCALE)-$(SEED))

build: $(STAMP)  ## build → audit → publish a raw dir: make build RAW_DIR=path [WAREHOUSE=file] [TARGET=postgres|spark]
ifeq ($(TARGET),postgres)
	$(MAKE) --no-print-directory build-postgres RAW_DIR="$(RAW_DIR)"
else ifeq ($(TARGET),spark)
	$(MAKE) --no-print-directory build-spark RAW_DIR="$(RAW_DIR)"
else
	$(MAKE) --no-print-directory refresh RAW_DIR="$(RAW_DIR)"
endif

build-dev: $(STAMP)  ## development build, no gates, into its own file: make build-dev RAW_DIR=path [DEV_WAREHOUSE=file]
	@test -d "$(RAW_DIR)" || { echo "raw dir '$(RAW_DIR)' does not exist (make demo-data, or RAW_DIR=path)"; exit 2; }
	$(BIN)/python -m saas_segments.refresh --dev --raw-dir "$(RAW_DIR)" --warehouse "$(abspath $(DEV_WAREHOUSE))"
	@$(BIN)/python -m saas_segments.summary "$(abspath $(DEV_WAREHOUSE))"

build-postgres: $(STAMP)  ## load → build → audit → publish a raw dir on PostgreSQL (SAAS_PG_*): make build-postgres RAW_DIR=path
	@test -d "$(RAW_DIR)" || { echo "raw dir '$(RAW_DIR)' does not exist (make demo-data, or RAW_DIR=path)"; exit 2; }
	$(BIN)/python -m saas_segments.pg_publish --raw-dir "$(RAW_DIR)" --target-path target/postgres
	@if [ -n "$$SAAS_PG_BI_PASSWORD" ]; then $(BIN)/python -m saas_segments.pg_roles; \
	else echo "BI login: set SAAS_PG_BI_PASSWORD and run 'make pg-bi-user' (README: Serving on PostgreSQL)"; fi

build-spark: $(STAMP)  ## build → audit → publish on a local Spark session (Java 17): make build-spark RAW_DIR=path [SPARK_DIR=.cache/spark]
	@test -d "$(RAW_DIR)" || { echo "raw dir '$(RAW_DIR)' does not exist (make demo-data, or RAW_DIR=path)"; exit 2; }
	@command -v java >/dev/null || { echo "Spark needs a Java runtime: apt-get install openjdk-17-jre-headless"; exit 2; }
	mkdir -p $(SPARK_DIR)
	SAAS_TARGET=spark SAAS_SPARK_DIR=$(abspath $(SPARK_DIR)) \
		$(BIN)/python -m saas_segments.spark_publish --raw-dir "$(RAW_DIR)" --target-path target/spark

pg-bi-user: $(STAMP)  ## create/reset the PostgreSQL BI login (member of analyst): SAAS_PG_BI_PASSWORD=... [SAAS_PG_BI_USER=bi_reader]
	$(BIN)/python -m saas_segments.pg_roles

run: demo-data  ## bootstrap, generate the demo data, build → audit → publish the demo warehouse, print how to query it
	$(MAKE) --no-print-directory refresh RAW_DIR=data/raw/demo

accuracy: $(STAMP)  ## precision/recall of every segment vs generator truth (scale s): make accuracy [ACCURACY_SCALE=s SEED=42]
	@test -f $(ACCURACY_RAW)/_truth/manifest.json || $(BIN)/python -m saas_segments.generator --scale $(ACCURACY_SCALE) --seed $(SEED) --out $(ACCURACY_RAW)
	mkdir -p .cache
	SAAS_RAW_DIR=$(abspath $(ACCURACY_RAW)) SAAS_DUCKDB_PATH=$(abspath .cache/accuracy-$(ACCURACY_SCALE)-$(SEED).duckdb) \
		$(BIN)/dbt build --fail-fast --quiet --target-path .cache/target-accuracy
	$(BIN)/python -m saas_segments.accuracy --raw-dir $(ACCURACY_RAW) --warehouse .cache/accuracy-$(ACCURACY_SCALE)-$(SEED).duckdb

bench: $(STAMP)  ## time scan floor / dbt parse / full build / daily refresh / check build (/ PostgreSQL at s): make bench SCALE=demo|s|m|l [SEED=42]
	$(BIN)/python -m saas_segments.bench --scale $(SCALE) --seed $(SEED)

report: $(STAMP)  ## segment report (HTML + PNG charts) in reports/<as_of>/: make report [AS_OF=YYYY-MM-DD] [WAREHOUSE=file] [TARGET=postgres]
	$(BIN)/python -m saas_segments.report --target $(TARGET) --warehouse "$(SAAS_DUCKDB_PATH)" $(if $(AS_OF),--as-of $(AS_OF)) --out reports

# dbt opens its DuckDB file for writing, so the docs read a copy (same file name: dbt
# names the database after it) and readers of the warehouse are never blocked. The
# lineage and descriptions come from the parse; --no-compile skips compiling every model
# (and the raw-data hooks), and --static then reads the parse's manifest.json.
DOCS_WAREHOUSE = .cache/docs/$(notdir $(SAAS_DUCKDB_PATH))

docs: $(STAMP)  ## static dbt docs (lineage, exposures, metrics, catalog of WAREHOUSE) in target/docs/static_index.html
	@test -f "$(SAAS_DUCKDB_PATH)" || { echo "warehouse '$(WAREHOUSE)' does not exist (make run, or WAREHOUSE=file)"; exit 2; }
	mkdir -p $(dir $(DOCS_WAREHOUSE)) && cp "$(SAAS_DUCKDB_PATH)" $(DOCS_WAREHOUSE)
	SAAS_DUCKDB_PATH=$(abspath $(DOCS_WAREHOUSE)) $(BIN)/dbt parse --target-path target/docs
	SAAS_DUCKDB_PATH=$(abspath $(DOCS_WAREHOUSE)) $(BIN)/dbt docs generate --static --no-compile --target-path target/docs
	rm -f $(DOCS_WAREHOUSE)
	@echo "dbt docs: $(abspath target/docs/static_index.html)"

lint: $(STAMP)  ## sqlfluff lint of every model, macro-rendered
	SAAS_DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint models

pytest: $(STAMP) demo-data  ## pytest alone (the demo warehouse is built by the tests)
	tests/engines.sh
	SAAS_TEST_DEMO_RAW_DIR=data/raw/demo $(PYTEST)

# The engines install (apt-get, network-bound) while the virtualenv does. sqlfluff lints
# on one core beside the development build and pytest; its report follows pytest's, and
# either failing fails the target.
test:  ## bootstrap (engines too), then lint + a development build (build-dev) on the demo data + pytest (which reads it)
	@mkdir -p $(dir $(TEST_WAREHOUSE))
	@tests/engines.sh > $(TEST_LOGS)engines.log 2>&1 & engines=$$!; \
	  $(MAKE) --no-print-directory venv demo-data && wait $$engines; status=$$?; \
	  cat $(TEST_LOGS)engines.log; exit $$status
	rm -f $(TEST_WAREHOUSE)
	@$(MAKE) --no-print-directory lint > $(TEST_LOGS)lint.log 2>&1 & lint=$$!; \
	  $(MAKE) --no-print-directory build-dev RAW_DIR=data/raw/demo DEV_WAREHOUSE=$(TEST_WAREHOUSE) \
	  && SAAS_TEST_DEMO_RAW_DIR=data/raw/demo SAAS_TEST_DEMO_WAREHOUSE=$(TEST_WAREHOUSE) $(PYTEST); tested=$$?; \
	  wait $$lint; linted=$$?; cat $(TEST_LOGS)lint.log; \
	  if [ $$linted -ne 0 ]; then echo "make test: sqlfluff lint failed (see above)" >&2; fi; \
	  [ $$tested -eq 0 ] && [ $$linted -eq 0 ]

lock: $(STAMP)  ## rewrite constraints.txt from the current environment
	{ echo '# Full lock of the environment (pip install -c constraints.txt -e .). Regenerate with `make lock`.'; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt

clean:  ## remove build outputs (keeps .venv)
	rm -rf target logs warehouse data/raw/demo .cache

.PHONY: refresh
refresh: $(STAMP) $(if $(filter data/raw/demo,$(RAW_DIR)),demo-data)  ## build → audit → publish: make refresh [RAW_DIR=path WAREHOUSE=file]
	@test -d "$(RAW_DIR)" || { echo "raw dir '$(RAW_DIR)' does not exist (make demo-data, or RAW_DIR=path)"; exit 2; }
	$(BIN)/python -m saas_segments.refresh --raw-dir "$(RAW_DIR)" --warehouse "$(SAAS_DUCKDB_PATH)"
	@$(BIN)/python -m saas_segments.summary "$(SAAS_DUCKDB_PATH)"

.PHONY: dagster
dagster: $(STAMP)  ## Dagster UI on http://127.0.0.1:3000 (DAGSTER_HOME=.dagster_home; SAAS_DAGSTER_PG_URL = Postgres storage)
	$(BIN)/python -m orchestration.instance
	DAGSTER_HOME=$(abspath .dagster_home) $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000
