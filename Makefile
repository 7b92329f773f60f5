# The README's commands. Each target bootstraps the virtual environment it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint crawl bench bench-extract bench-distributed bench-many-sites clean debian-packages

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

## demo: crawl the bundled offline mirror of every site into ./demo-archive and print the summary
demo: $(STAMP)
	$(BIN)/newsarchive demo

## crawl: crawl the real web, e.g. make crawl SITES="ndr braunschweiger_zeitung"
crawl: $(STAMP)
	$(BIN)/newsarchive crawl $(SITES)

## bench: the whole pipeline (local and S3 archive) against a crawl that only fetches, 3,000 pages from nginx
bench: $(STAMP) debian-packages
	$(BIN)/python scripts/bench_pipeline.py

## bench-extract: our extractor and trafilatura, readability-lxml, newspaper4k on the same pages, side by side
## (the peers live in their own .venv-bench, never in the runtime dependencies)
bench-extract:
	bash scripts/bench_extract.sh

## bench-many-sites: peak RSS, wall time and per-host politeness crawling 20, 100 and all the registry's sites in one run
bench-many-sites: $(STAMP)
	$(BIN)/python scripts/bench_many_sites.py --sites 20 100 all --per-site 3 --pool 2

## bench-distributed: one worker against three on the same synthetic mirror (3,000 articles on 3 sites)
bench-distributed: $(STAMP) debian-packages
	$(BIN)/python scripts/bench_distributed.py --per-site 1000 --workers 0 1 3

## lint: ruff check + format check, mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Debian packages the tests and benchmarks use for real: Chromium (the report renders in it), redis-server,
# nginx (the static server of `make bench`).
DEBIAN_PACKAGES := /usr/bin/chromium:chromium /usr/bin/redis-server:redis-server /usr/sbin/nginx:nginx
debian-packages:
	@missing=""; for pair in $(DEBIAN_PACKAGES); do \
	  test -x "$${pair%%:*}" || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing from Debian:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## test: the whole suite (lint included), one pytest-xdist worker per core; a test file's tests share a worker
## (and its module-scoped servers and crawls)
test: lint debian-packages
	$(BIN)/python -m pytest -q -n auto --dist loadfile

clean:
	rm -rf $(VENV) archive archive.state.sqlite* .pytest_cache .mypy_cache .ruff_cache *.egg-info
