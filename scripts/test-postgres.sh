#!/usr/bin/env bash
# A PostgreSQL server for the tests (issue 7): Debian's PostgreSQL 15 binaries, a cluster of its
# own (initdb into the build area), on 127.0.0.1 only, with a superuser role "mw_test" (the tests
# create and drop databases and end sessions). .ci/run starts it before `make test`, exports
# MW_TEST_PG_URL and stops it after; tests/support/pg_server.hpp then gives each test program a
# database of its own on it.
#
#   scripts/test-postgres.sh start   # installs what is missing, starts the server (or finds it
#                                    # running), prints its URL on stdout, messages on stderr
#   scripts/test-postgres.sh url     # the running server's URL; exit 1 when it is not running
#   scripts/test-postgres.sh stop    # stops it (fast shutdown) and removes its folder
#
#   export MW_TEST_PG_URL=$(scripts/test-postgres.sh start)
#
# It never uses or changes the postgresql package's own cluster ("main", /var/lib/postgresql),
# so it works whether that cluster exists, runs or was dropped, and without systemd. The port is
# the first free one from 5432 up (5432 may be the package's cluster or another server). As root
# the cluster belongs to the system user "postgres" (the server refuses to run as root); as
# anyone else, to that user. The folder is $MW_TEST_PG_DIR, default build/test-postgres; when the
# postgres user cannot reach it (a checkout under a private home), the data go to a temporary
# folder that the build area's folder names. Throwaway settings: trust authentication on
# 127.0.0.1, fsync and full_page_writes off.
set -euo pipefail
cd "$(dirname "$0")/.."

state=${MW_TEST_PG_DIR:-build/test-postgres}
role=mw_test
log() { echo "test-postgres: $*" >&2; }
die() { log "$*"; exit 1; }

# Debian's server programs: PostgreSQL 15 (Debian 12), else the newest installed.
bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x $d/initdb && -x $d/pg_ctl ]] && { echo "$d"; return; }
  done
  return 1
}

# Runs a command as the cluster's owner.
as_owner() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The data folder of the last start ("" when none was recorded).
datadir() { [[ -f $state/datadir ]] && cat "$state/datadir" || true; }

running() {
  local data bin
  data=$(datadir)
  [[ -n $data && -f $data/postmaster.pid ]] || return 1
  bin=$(bindir) || return 1
  # pg_ctl status alone takes a killed server that nobody reaped yet (a zombie) for a live one.
  as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1 &&
    [[ -f $state/port ]] && "$bin/pg_isready" -q -h 127.0.0.1 -p "$(cat "$state/port")"
}

url() { echo "postgresql://$role@127.0.0.1:$(cat "$state/port")/postgres"; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop() {
  local data bin
  data=$(datadir)
  if [[ -n $data && -f $data/postmaster.pid ]] && bin=$(bindir) &&
    as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
    if as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w -t 30 >/dev/null ||
      as_owner "$bin/pg_ctl" stop -D "$data" -m immediate -w -t 30 >/dev/null; then
      log "stopped the server on port $(cat "$state/port" 2>/dev/null)"
    else
      log "the server of $data did not stop (already dead?); removing its folder anyway"
    fi
  fi
  # The temporary folder of a checkout the postgres user cannot reach (see start).
  [[ -f $state/tmpdir ]] && rm -rf "$(cat "$state/tmpdir")"
  rm -rf "$state"
}

start() {
  if running; then
    log "already running (port $(cat "$state/port"), $(datadir))"
    url
    return
  fi
  bash scripts/install-deps.sh >&2
  local bin
  bin=$(bindir) || die "no PostgreSQL server programs in /usr/lib/postgresql/*/bin (postgresql package)"
  if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root and there is no user postgres to run the server as"
  fi
  stop  # what a killed earlier run left behind

  mkdir -p "$state"
  local data=$state/data
  if [[ $(id -u) == 0 ]]; then
    chown postgres: "$state"
    if ! runuser -u postgres -- test -w "$state"; then
      local tmp
      tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-test-postgres-XXXXXX")
      echo "$tmp" >"$state/tmpdir"
      chown postgres: "$tmp"
      data=$tmp/data
      log "the postgres user cannot reach $state: the data go to $data"
    fi
  fi
  data=$(realpath -m "$data")
  echo "$data" >"$state/datadir"

  as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync \
    >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; die "initdb failed"; }
  # The unix socket goes beside the data when its path fits sockaddr_un, else TCP only.
  local sockets=$(dirname "$data")
  ((${#sockets} < 90)) || sockets=
  cat >>"$data/postgresql.conf" <<EOF

# mediaworker tests (scripts/test-postgres.sh): a throwaway server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockets'
fsync = off
full_page_writes = off
max_connections = 300
shared_buffers = 64MB
EOF

  local port started=
  for port in $(seq 5432 5531); do
    port_taken "$port" && continue
    rm -f "$data/server.log"
    if as_owner "$bin/pg_ctl" start -D "$data" -l "$data/server.log" -w -t 60 -o "-p $port" \
      >/dev/null 2>&1; then
      started=$port
      break
    fi
    # Another process took the port between the check and the bind: try the next one.
    grep -q "could not bind\|could not create any TCP/IP sockets" "$data/server.log" ||
      { tail -20 "$data/server.log" >&2; die "the server did not start ($data/server.log)"; }
  done
  [[ -n $started ]] || die "no free port in 5432-5531"
  echo "$started" >"$state/port"

  "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$started" -U postgres -d postgres \
    -c "CREATE ROLE $role LOGIN SUPERUSER CREATEDB" >&2 ||
    { stop; die "could not create the role $role"; }
  log "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$started ($data)"
  url
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url) running || die "not running"; url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
