#!/usr/bin/env bash
# Java 17+ for the Spark drift engine's tests (Spark 4 needs it): kept when present, else
# installed from the distribution (root with apt-get, as scripts/postgres.sh installs
# PostgreSQL). Exit 1 with the reason when neither works: the Spark tests then fail, not skip.
set -euo pipefail

java_major() {
  command -v java >/dev/null || return 1
  # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' on stderr.
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

major=$(java_major || echo 0)
if [ "${major:-0}" -ge 17 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless) >&2 \
    || { echo "java.sh: apt-get could not install openjdk-17-jre-headless" >&2; exit 1; }
  major=$(java_major || echo 0)
  [ "${major:-0}" -ge 17 ] && exit 0
fi
echo "java.sh: Java 17+ is needed for the Spark tests (found: ${major:-none}); install a JDK" >&2
exit 1
