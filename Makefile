# Uptake: `make run` sets everything up and starts the app; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench demo-data reset-db clean

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

# the tests run in $(TEST_WORKERS) processes (pytest-xdist), a test file per process at a time
TEST_WORKERS ?= 2
test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.dev
	$(BIN)/ruff check .

bench: $(VENV)/.dev
	$(BIN)/python bench/load_bench.py

demo-data: $(VENV)/.runtime
	$(BIN)/python -m analysis.demo

reset-db:
	rm -f data/uptake.duckdb data/uptake.duckdb.wal
	@echo "Database removed: the next start creates it again and loads the demo."

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
