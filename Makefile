# The README's commands. Each target bootstraps the virtual environment it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint crawl bench-extract clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

## demo: crawl the bundled offline mirror of every site into ./archive and print the summary
demo: $(STAMP)
	$(BIN)/newsarchive demo

## crawl: crawl the real web, e.g. make crawl SITES="ndr braunschweiger_zeitung"
crawl: $(STAMP)
	$(BIN)/newsarchive crawl $(SITES)

## bench-extract: our extractor and trafilatura, readability-lxml, newspaper4k on the same pages, side by side
## (the peers live in their own .venv-bench, never in the runtime dependencies)
bench-extract:
	bash scripts/bench_extract.sh

## lint: ruff check + format check, mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## test: the whole suite (lint included)
test: lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) archive archive.state.sqlite* .pytest_cache .mypy_cache .ruff_cache *.egg-info
