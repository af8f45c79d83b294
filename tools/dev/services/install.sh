#!/usr/bin/env bash
# install.sh — Debian's PostgreSQL and Redis for the queue-mode tier (tools/e2e/queue.e2e.test.ts).
#
# Idempotent: silent, and exits 0 at once, when both are already installed.
# Otherwise runs `apt-get update` once and `apt-get install -y` for what is missing
# (`postgresql`, `redis-server`); needs root, or sudo without a password.
#
# The tier starts its own throw-away servers (tools/dev/services/postgres.ts, redis.ts) in temporary
# folders on free ports. So that installing does not also leave a system-wide server behind,
# Debian's automatic "main" cluster is turned off before PostgreSQL is first installed
# (/etc/postgresql-common/createcluster.conf: create_main_cluster = false), and any server the
# packages' scripts started is stopped again.
set -euo pipefail

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/pg_dump' >/dev/null; }
have_redis() { command -v redis-server >/dev/null && command -v redis-cli >/dev/null; }

missing=()
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)

[ ${#missing[@]} -eq 0 ] && exit 0   # both there: nothing to do, nothing to say

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "[services] ERROR: ${missing[*]} missing and installing needs root: run 'sudo apt-get install -y ${missing[*]}'" >&2
    exit 1
  fi
fi
command -v apt-get >/dev/null || { echo "[services] ERROR: no apt-get; install ${missing[*]} by hand" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  "${SUDO[@]}" mkdir -p /etc/postgresql-common
  printf '# set by tools/dev/services/install.sh: the tests start their own throw-away clusters\ncreate_main_cluster = false\n' \
    | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
echo "[services] installing ${missing[*]} from Debian's packages" >&2
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

# Package scripts may have started system services (where there is an init system): stop them.
if [[ " ${missing[*]} " == *" redis-server "* ]] && command -v service >/dev/null; then
  "${SUDO[@]}" service redis-server stop >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v service >/dev/null; then
  "${SUDO[@]}" service postgresql stop >/dev/null 2>&1 || true
fi

have_postgres || { echo "[services] ERROR: apt-get finished but PostgreSQL's initdb/pg_dump are missing" >&2; exit 1; }
have_redis || { echo "[services] ERROR: apt-get finished but redis-server/redis-cli are missing" >&2; exit 1; }
id postgres >/dev/null 2>&1 || { echo "[services] ERROR: the postgres system user is missing" >&2; exit 1; }
echo "[services] installed PostgreSQL $(basename "$(ls -d /usr/lib/postgresql/*/ | sort -V | tail -n1)") and $(redis-server --version | awk '{print $1, $3}')" >&2
