# Linkplan — every target does its own set-up on a fresh Debian machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test system-deps lint typecheck pytest bench bench-graph bench-assess bench-coordination bench-prelay bench-api serve clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed, got " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: build the 掇刀区 demo workspace (build/demo.gpkg) and print a per-layer summary
demo: $(STAMP)
	$(BIN)/linkplan demo --out build/demo.gpkg

## test: lint, type-check and run the whole test suite (installs Chromium, a CJK font, PostgreSQL
## and PostGIS from Debian's packages if missing; the tests start a throwaway PostGIS cluster)
test: system-deps lint typecheck pytest

system-deps:
	./scripts/system-deps.sh
	./scripts/postgis.sh install

lint: $(STAMP)
	$(BIN)/ruff check api gis planning data tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

## bench: benchmarks on the city-size district (not part of make test)
bench: bench-graph bench-assess bench-coordination bench-prelay bench-api
bench-graph: $(STAMP)
	$(BIN)/python bench/bench_corridor.py
bench-assess: $(STAMP)
	$(BIN)/python bench/bench_assess.py
bench-coordination: $(STAMP)
	$(BIN)/python bench/bench_coordination.py
bench-prelay: $(STAMP)
	$(BIN)/python bench/bench_prelay.py
bench-api: $(STAMP)
	$(BIN)/python bench/bench_api.py

## serve: the web service on the embedded SQLite database, seeded with the demo (development)
serve: $(STAMP)
	$(BIN)/linkplan serve

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
