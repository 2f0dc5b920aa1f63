# Linkplan — every target does its own set-up on a fresh Debian machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast pytest-fast system-deps lint typecheck pytest constraints bench bench-graph bench-assess bench-coordination bench-prelay bench-api serve clean

# constraints.txt pins every package to the versions the tests passed with (make constraints)
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed, got " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Linkplan and its pinned dependencies into $(VENV) (log: $(VENV)/install.log)"
	@# the build back end's notices (e.g. setuptools' editable-install banner) go to the log;
	@# a failed install prints the whole log
	@( $(BIN)/python -m pip install --upgrade pip \
	  && $(BIN)/python -m pip install -c constraints.txt -e '.[dev]' ) > $(VENV)/install.log 2>&1 \
	  || { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

## demo: build the 掇刀区 demo workspace (build/demo.gpkg), print a per-layer summary and assess
## the demo sites on the demo's fixed reference date (printed; the same results on any day)
demo: $(STAMP)
	$(BIN)/linkplan demo --out build/demo.gpkg

## test: lint, type-check and run the whole test suite (installs Chromium, a CJK font, PostgreSQL
## and PostGIS from Debian's packages if missing; the tests start a throwaway PostGIS cluster)
test: system-deps lint typecheck pytest

## test-fast: lint and the tests without PostGIS, Chromium, notebooks, schemathesis
## or the city-size district (no system packages needed; a few minutes on 2 cores)
FAST := not postgis and not browser and not notebook and not fuzz and not city
test-fast: lint pytest-fast

pytest-fast: $(STAMP)
	$(BIN)/python -m pytest -q $(XDIST) -m "$(FAST)"

system-deps:
	./scripts/system-deps.sh
	./scripts/postgis.sh install

## lint: ruff (style, complexity), the import contracts (layers api → planning → gis) and
## deptry (every declared dependency used, every import declared)
lint: $(STAMP)
	$(BIN)/ruff check api gis planning data tests bench
	$(BIN)/lint-imports
	$(BIN)/deptry .

## constraints: pin the versions of the current environment (after changing pyproject.toml)
constraints: $(STAMP)
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

typecheck: $(STAMP)
	$(BIN)/mypy

## the tests run on TEST_WORKERS processes (pytest-xdist), a test file's tests in one of them
## (its module fixtures built once); TEST_WORKERS=0 runs them in this process
TEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

pytest: $(STAMP) system-deps
	$(BIN)/python -m pytest -q $(XDIST)

## bench: benchmarks on the city-size district (not part of make test)
bench: bench-graph bench-assess bench-coordination bench-prelay bench-api
bench-graph: $(STAMP)
	$(BIN)/python -m bench.bench_corridor
bench-assess: $(STAMP)
	$(BIN)/python -m bench.bench_assess
bench-coordination: $(STAMP)
	$(BIN)/python -m bench.bench_coordination
bench-prelay: $(STAMP)
	$(BIN)/python -m bench.bench_prelay
bench-api: $(STAMP)
	$(BIN)/python -m bench.bench_api

## serve: the web service on the embedded SQLite database, seeded with the demo (development)
serve: $(STAMP)
	$(BIN)/linkplan serve

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
