# One set of commands for people and CI. `make demo` and `make test` are the quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo up down status test unit integration e2e fault bench lint contracts mutation clean

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
	$(BIN)/python -m deploy.validate

contracts: install  ## regenerate contracts/asyncapi.yaml and contracts/schemas/
	$(BIN)/python -m contracts.generate

# Per mutated module: mutants killed (a timeout counts as killed, as mutmut's own score has
# it), survived, reached by no test, and the score; from mutmut's mutants/**/*.py.meta.
define MUTATION_REPORT
import json, pathlib
from mutmut.stats import status_by_exit_code as status
line = "{:<44} {:>6} {:>8} {:>8} {:>6} {:>7}"
print(line.format("module", "killed", "survived", "no tests", "total", "score"))
sums = [0, 0, 0, 0]
for meta in sorted(pathlib.Path("mutants").rglob("*.py.meta")):
    found = [status[c] for c in json.loads(meta.read_text())["exit_code_by_key"].values()]
    if found:
        row = [sum(s in ("killed", "timeout") for s in found), found.count("survived"),
               found.count("no tests"), len(found)]
        sums = [a + b for a, b in zip(sums, row)]
        name = str(meta.relative_to("mutants"))[: -len(".meta")]
        print(line.format(name, *row, f"{100 * row[0] / row[3]:.1f}%"))
print(line.format("all", *sums, f"{100 * sums[0] / max(sums[3], 1):.1f}%"))
endef
export MUTATION_REPORT

mutation: install  ## mutation testing of the rules against the unit tests (docs/testing.md)
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/mutmut results
	@$(BIN)/python -c "$$MUTATION_REPORT"

clean: down
	rm -rf .local
