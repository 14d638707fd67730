#!/usr/bin/env bash
# A separate virtualenv with Apache Airflow 3 for the Airflow integration test; prints its path.
#   scripts/airflow-venv.sh            → build/airflow-venv-<key>  (created once per machine)
# Airflow pins its own dependency tree, so it never goes into .venv. The folder name is keyed on
# the Airflow spec and the Python version: a later run reuses it, a changed spec builds a new one.
# retrigger is installed beside Airflow with its dependencies, as in a real Airflow image, and
# reinstalled (not editable) on every call so the test runs the code of this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

spec="${RT_AIRFLOW_SPEC:-apache-airflow==3.*}"
python=".venv/bin/python"
uv=".venv/bin/uv"
[ -x "$uv" ] || uv="uv"  # ./dev installs uv into .venv; a dev machine may have its own
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$(printf '%s|%s' "$spec" "$pyver" | sha256sum | cut -c1-12)
venv="build/airflow-venv-$key"

if [ ! -f "$venv/.ready" ]; then
  rm -rf "$venv"
  mkdir -p build
  "$uv" venv -q --python "$python" "$venv" >&2
  "$uv" pip install -q --python "$venv/bin/python" "$spec" >&2
  touch "$venv/.ready"
fi
# Built from a copy: setuptools writes build/lib in the source tree, where another test may be
# building the wheel at the same moment.
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
cp -r pyproject.toml README.md retrigger cli hooks bot "$src/"
"$uv" pip install -q --python "$venv/bin/python" --reinstall-package retrigger "$src" >&2
echo "$PWD/$venv"
