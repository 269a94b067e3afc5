#!/usr/bin/env bash
# Installs the Debian packages the test harness needs. Idempotent: runs `apt-get update` and
# `apt-get install` only when something is missing.
#   default-jre-headless  Java 17+ for the local Apache Kafka broker (test/harness/kafka-broker.ts)
#   maven                 fetches the broker's jars (test/harness/kafka/pom.xml)
#   postgresql-client     psql / pg_isready for the database tests
#   chromium, fonts-dejavu-core  the headless browser of the operator console's tests (test/console/,
#                         driven by playwright-core at /usr/bin/chromium) and a font for its pages
# Works as root with no terminal (CI, containers).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: all present (java, maven, postgresql-client, chromium)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -E"
  else
    echo "install-system-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-system-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: done"
