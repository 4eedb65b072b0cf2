#!/usr/bin/env bash
# The engines the test suite runs on, made ready before pytest (`make test` calls this):
#   chromium  headless Chromium (pages rendered and checked by content)   apt: chromium
#   spark     a Java 17 runtime for the local Spark session               apt: openjdk-17-jre-headless
#   postgres  the local PostgreSQL server (SAAS_PG_HOST/SAAS_PG_PORT)     pg_ctlcluster ... main start
# Only what is missing is installed (apt-get update runs only then); engines named in
# SAAS_SKIP_ENGINES (comma-separated) are left alone, and their tests skip.
set -euo pipefail

skipped() { [[ ",${SAAS_SKIP_ENGINES:-}," == *",$1,"* ]]; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

packages=()
if ! skipped chromium && ! command -v chromium >/dev/null; then packages+=(chromium); fi
if ! skipped spark && ! command -v java >/dev/null; then packages+=(openjdk-17-jre-headless); fi
if ((${#packages[@]})); then
  echo "engines: installing ${packages[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

pg=(-h "${SAAS_PG_HOST:-127.0.0.1}" -p "${SAAS_PG_PORT:-5432}" -t 3)
if ! skipped postgres && ! pg_isready "${pg[@]}" >/dev/null 2>&1; then
  versions=$(ls /etc/postgresql 2>/dev/null || true)
  [[ -n $versions ]] || { echo "engines: PostgreSQL is not reachable and no local cluster is in /etc/postgresql" >&2; exit 1; }
  echo "engines: starting the local PostgreSQL cluster"
  for version in $versions; do as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true; done
  pg_isready "${pg[@]}" >/dev/null || {
    echo "engines: PostgreSQL is not reachable on ${pg[1]}:${pg[3]} after pg_ctlcluster ... main start" >&2; exit 1; }
fi
echo "engines: ready (chromium $(command -v chromium || echo skipped), java $(command -v java || echo skipped))"
