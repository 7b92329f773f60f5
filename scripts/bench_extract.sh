#!/usr/bin/env bash
# Extraction benchmark (docs/benchmarks.md): our extractor and peer extractors side by side, one run.
# The peers (requirements-bench.txt) live in their own virtual environment, .venv-bench, and are never
# runtime dependencies. A peer that cannot be installed is reported "not installed" by the benchmark.
# Usage: bash scripts/bench_extract.sh [CORPUS_DIR ...] [--json] [--only NAME ...] [--records DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv-bench
PIP=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
STAMP="$VENV/.installed"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ requirements-bench.txt -nt "$STAMP" ]; then
    # A current pip: older resolvers fail on lxml's duplicated "html-clean" extra.
    "${PIP[@]}" --upgrade pip
    if "${PIP[@]}" -e . -r requirements-bench.txt; then
        touch "$STAMP"
    else
        echo "bench-extract: installing the peers together failed; trying one at a time" >&2
        "${PIP[@]}" -e .
        failed=0
        while read -r requirement; do
            "${PIP[@]}" "$requirement" || {
                echo "bench-extract: cannot install $requirement (reported as not installed)" >&2
                failed=1
            }
        done < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' requirements-bench.txt | grep -v '^$')
        # Retry on the next run when something is missing.
        [ "$failed" = 1 ] || touch "$STAMP"
    fi
fi
exec "$VENV/bin/python" scripts/bench_extract.py "$@"
