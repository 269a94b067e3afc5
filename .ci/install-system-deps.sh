#!/usr/bin/env bash
# Installs the Debian packages the test harness needs. Idempotent: runs
# `apt-get update` and `apt-get install` only when something is missing.
#   librdkafka-dev  headers + library for test/harness/kafka-mock/mock-broker.c
#   gcc             compiles that mock broker on demand
#   postgresql-client  psql / pg_isready for the database tests
# Works as root with no terminal (CI, containers).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

missing=()

# "package is installed" according to dpkg (not merely known / removed).
is_installed() {
  dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx 'installed'
}

is_installed librdkafka-dev || missing+=(librdkafka-dev)
is_installed gcc || missing+=(gcc)
# Any versioned client (postgresql-client-15, ...) or a psql on PATH is enough.
if ! command -v psql >/dev/null 2>&1 && ! is_installed postgresql-client; then
  missing+=(postgresql-client)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: all present (librdkafka-dev, gcc, postgresql-client)"
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
