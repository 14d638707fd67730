#!/usr/bin/env bash
# mypy --strict on the package as it installs: the front doors cli/, hooks/ and bot/ are
# subpackages of retrigger in the wheel, so check them from a tree of links laid out that way
# (mypy cannot follow setuptools' editable-install import hook).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
tree=$(mktemp -d "$PWD/build/typecheck.XXXXXX")  # one per run: engineers may type-check at once
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/retrigger"
for entry in retrigger/*; do
  ln -s "$PWD/$entry" "$tree/retrigger/$(basename "$entry")"
done
for door in cli hooks bot; do
  ln -s "$PWD/$door" "$tree/retrigger/$door"
done
root=$PWD
cd "$tree"
ln -s "$root/tests" "$tree/tests"
ln -s "$root/scripts" "$tree/scripts"
# scripts/mkdocs_reference.py: the docs site's hook, which imports the package like a test.
PATH="$root/.venv/bin:$PATH" mypy --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" -p retrigger -p tests -m scripts.mkdocs_reference
