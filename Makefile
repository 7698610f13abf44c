# One set of commands for people and CI. `make demo` and `make test` are the quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo up down status test unit integration e2e fault bench lint contracts clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install  ## start the local stack and play the demo scenario
	$(BIN)/huisacademie up
	$(BIN)/huisacademie demo

up: install
	$(BIN)/huisacademie up

down: install
	$(BIN)/huisacademie down

status: install
	$(BIN)/huisacademie status

test: install  ## every tier: unit, integration and e2e, on real Kafka and PostgreSQL
	$(BIN)/pytest

unit: install
	$(BIN)/pytest -m unit

integration: install
	$(BIN)/pytest -m integration

e2e: install
	$(BIN)/pytest -m e2e

fault: install  ## the long fault run (>= 20 broker and 20 service kills): docs/reliability.*
	FAULT_LONG=1 $(BIN)/pytest -m fault -s

bench: install  ## benchmarks, each against its reference (BENCH_FULL=1: full sizes)
	$(BIN)/python -m bench

lint: install  ## ruff, mypy strict, and the layering (import-linter, pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

contracts: install  ## regenerate contracts/asyncapi.yaml and contracts/schemas/
	$(BIN)/python -m contracts.generate

clean: down
	rm -rf .local
