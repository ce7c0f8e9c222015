# Uptake: `make run` sets everything up and starts the app; `make test` (= `make check`) runs every check
# (formatting, lint, types, import contracts) and then every test; `make test-fast` skips the browser tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-fast check static lint bench bench-quick loadtest drill demo-data reset-db clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Uptake needs Python 3.11 ($(PYTHON) not found): install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	$(BIN)/streamlit run server.py --server.port $(PORT)

# every check, then every test: what CI runs (.ci/run); `make check` is the same. The tests run in
# $(TEST_WORKERS) processes (pytest-xdist), a test file per process at a time.
TEST_WORKERS ?= 2
test: static
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

check: test

test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m "not browser"

# the checks alone: formatting, lint, mypy on analysis/ and the import contracts (pyproject.toml)
static: $(VENV)/.dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# issue 12's targets side by side with their peers (docs/performance.md): every size (small 100 k,
# medium 2 M, large 20 M events), then the upload bombs; bench-quick: small and medium only
bench: $(VENV)/.dev
	$(BIN)/python bench/run.py --sizes small,medium,large
	PYTHONPATH=. $(BIN)/python bench/upload_bombs.py
	$(BIN)/python bench/upload_browser.py

bench-quick: $(VENV)/.dev
	$(BIN)/python bench/run.py --sizes small,medium

# issue #12 target 4: 20 signed-in sessions at once against the real server (bench/loadtest.py); LOADTEST_ARGS
# passes options, e.g. make loadtest LOADTEST_ARGS="--db path/to/bench.duckdb --seconds 120"
LOADTEST_ARGS ?=
loadtest: $(VENV)/.dev
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

demo-data: $(VENV)/.runtime
	$(BIN)/python -m analysis.demo

reset-db:
	rm -f data/uptake.duckdb data/uptake.duckdb.wal
	@echo "Database removed: the next start creates it again and loads the demo."

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache

# issue 17 part 1: 50 loads killed with SIGKILL at random points, each checked (bench/crash_drill.py,
# docs/operations.md); tests/test_crash_drill.py runs a short version in make test
drill: $(VENV)/.dev
	$(BIN)/python bench/crash_drill.py --kills 50
