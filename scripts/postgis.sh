#!/usr/bin/env bash
# Throwaway PostgreSQL + PostGIS clusters for the test suite.
#
#   scripts/postgis.sh check              exit 0 when PostgreSQL and PostGIS are installed, 1 if not
#   scripts/postgis.sh install            apt-get install PostgreSQL and PostGIS when missing (root)
#   scripts/postgis.sh start DIR [PORT]   initdb a cluster in DIR, start it on 127.0.0.1:PORT (a
#                                         free port when none is given), create the database
#                                         linkplan_test with PostGIS, print its SQLAlchemy URL
#   scripts/postgis.sh stop DIR           stop the cluster in DIR (fast) and remove DIR
#
# Only `start` writes to stdout, and only the URL; everything else goes to stderr or to
# DIR/postgres.log (server) and DIR/setup.log (initdb, psql). As root the cluster runs as the
# `postgres` system user (initdb refuses root); otherwise as the calling user. Authentication is
# `trust`, so the cluster listens on 127.0.0.1 and on a unix socket in DIR only.
#
# Environment: PG_BINDIR overrides where initdb/pg_ctl/psql are looked up (default: the newest
# /usr/lib/postgresql/*/bin, then PATH).
set -Eeuo pipefail # -E: the ERR trap of `start` also fires inside functions

readonly DATABASE=linkplan_test
readonly SUPERUSER=postgres
readonly MARKER=.linkplan-postgis # written by `start`; `stop` removes only directories holding it

die() {
  echo "postgis.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Major version of the newest installed PostgreSQL server (Debian layout), or nothing.
installed_major() {
  local dir versions=()
  for dir in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$dir" ] || continue
    dir=${dir#/usr/lib/postgresql/}
    versions+=("${dir%%/*}")
  done
  [ ${#versions[@]} -gt 0 ] || return 0
  printf '%s\n' "${versions[@]}" | sort -n | tail -n 1
}

# Directory holding initdb, pg_ctl and psql.
bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    echo "$PG_BINDIR"
    return
  fi
  local major
  major=$(installed_major)
  if [ -n "$major" ]; then
    echo "/usr/lib/postgresql/$major/bin"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  else
    die "PostgreSQL is not installed (no initdb): run, as root, $0 install"
  fi
}

# Is the PostGIS extension installed for the server in bindir?
postgis_installed() {
  local bin sharedir
  bin=$(bindir)
  sharedir=$("$bin/pg_config" --sharedir 2>/dev/null) || sharedir=""
  if [ -z "$sharedir" ]; then
    # Debian ships pg_config only with libpq-dev; the share dir follows the version.
    sharedir=/usr/share/postgresql/$(basename "$(dirname "$bin")")
  fi
  [ -e "$sharedir/extension/postgis.control" ]
}

cmd_check() {
  [ -n "$(installed_major)" ] || [ -n "${PG_BINDIR:-}" ] || command -v initdb >/dev/null 2>&1 \
    || return 1
  postgis_installed
}

# The PostgreSQL major version Debian's `postgresql` metapackage would install.
candidate_major() {
  apt-cache depends postgresql 2>/dev/null \
    | sed -n 's/^ *Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | sort -n | tail -n 1
}

cmd_install() {
  if cmd_check 2>/dev/null; then
    echo "postgis.sh: PostgreSQL $(installed_major) with PostGIS is installed" >&2
    return 0
  fi
  local major need=()
  major=$(installed_major)
  if [ "$(id -u)" != 0 ]; then
    if [ -n "$major" ]; then
      need=("postgresql-$major-postgis-3")
    else
      need=(postgresql "postgresql-<version>-postgis-3")
    fi
    die "PostgreSQL/PostGIS missing (${need[*]}) and not root — run: sudo $0 install" \
      "(or: sudo apt-get install -y ${need[*]})"
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostGIS missing and no apt-get: install PostgreSQL and PostGIS by hand, or set LINKPLAN_TEST_DATABASE_URL"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$major" ]; then
    major=$(candidate_major)
    if [ -z "$major" ]; then
      apt-get update -q >/dev/null
      major=$(candidate_major)
    fi
    [ -n "$major" ] || die "cannot tell which PostgreSQL version Debian's 'postgresql' package installs"
    need=(postgresql "postgresql-$major")
  fi
  need+=("postgresql-$major-postgis-3")
  echo "postgis.sh: installing ${need[*]}" >&2
  local start=$SECONDS
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
    # Stale or missing package lists: refresh once and retry, this time showing errors.
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  }
  cmd_check || die "installed ${need[*]} but PostGIS is still not found for PostgreSQL $major"
  echo "postgis.sh: installed in $((SECONDS - start)) s" >&2
}

# Run a command as the cluster owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free TCP port found on 127.0.0.1"
}

abspath() {
  case $1 in
    /*) echo "$1" ;;
    *) echo "$PWD/$1" ;;
  esac
}

cmd_start() {
  if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
  local dir port bin auto_port=0
  dir=$(abspath "$1")
  port=${2:-}
  if [ -z "$port" ]; then
    auto_port=1
  elif ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    die "PORT must be a number from 1 to 65535, got '$port'"
  fi
  bin=$(bindir)
  [ -x "$bin/initdb" ] || die "no initdb in $bin: run, as root, $0 install"
  postgis_installed || die "PostGIS is not installed for $bin: run, as root, $0 install"
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    die "$dir exists and is not empty: give a new or empty directory"
  fi
  mkdir -p "$dir"
  touch "$dir/$MARKER"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' system user to run the cluster as"
    chown -R postgres: "$dir"
    chmod 700 "$dir"
    as_owner test -w "$dir" \
      || die "user postgres cannot write $dir: a parent directory is closed to it (use e.g. a directory made by mktemp -d under /tmp)"
  fi
  cd "$dir" # the owner may not be allowed into the caller's working directory
  local log=$dir/setup.log
  local started=0
  # On any failure: stop what was started and show the logs; the caller still runs `stop DIR`.
  # shellcheck disable=SC2064
  trap "on_start_error '$dir' '$bin' \$started" ERR

  as_owner "$bin/initdb" -D "$dir/data" -U "$SUPERUSER" -A trust -E UTF8 --no-locale \
    --no-sync >>"$log" 2>&1
  cat >>"$dir/data/postgresql.conf" <<EOF

# linkplan throwaway test cluster (scripts/postgis.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 32MB
EOF

  local attempt
  for attempt in 1 2 3; do
    [ "$auto_port" = 0 ] || port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
      -o "-p $port" start >>"$log" 2>&1; then
      started=1
      break
    fi
    # A port picked automatically may have been taken meanwhile: pick again.
    if [ "$auto_port" = 0 ] || [ "$attempt" -eq 3 ]; then
      false # fails into the ERR trap
    fi
    echo "postgis.sh: start on port $port failed, retrying on another port" >&2
  done

  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$SUPERUSER")
  "${psql[@]}" -d postgres -c "CREATE DATABASE $DATABASE" >>"$log" 2>&1
  "${psql[@]}" -d "$DATABASE" -c "CREATE EXTENSION postgis" >>"$log" 2>&1
  trap - ERR
  echo "postgis.sh: PostgreSQL $("${psql[@]}" -d "$DATABASE" -Atc "SHOW server_version") with PostGIS $("${psql[@]}" -d "$DATABASE" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'postgis'") on 127.0.0.1:$port (socket and logs in $dir)" >&2
  echo "postgresql+psycopg://$SUPERUSER@127.0.0.1:$port/$DATABASE"
}

on_start_error() {
  local dir=$1 bin=$2 started=$3
  echo "postgis.sh: could not start the cluster in $dir" >&2
  if [ -f "$dir/setup.log" ]; then
    echo "--- $dir/setup.log" >&2
    tail -n 30 "$dir/setup.log" >&2
  fi
  if [ -f "$dir/postgres.log" ]; then
    echo "--- $dir/postgres.log" >&2
    tail -n 30 "$dir/postgres.log" >&2
  fi
  if [ "$started" = 1 ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  exit 1
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  local dir
  dir=$(abspath "$1")
  [ -e "$dir" ] || return 0
  [ -e "$dir/$MARKER" ] || die "$dir was not made by '$0 start' (no $MARKER): not removing it"
  cd /
  local bin
  bin=$(bindir)
  if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 \
      || die "the server in $dir/data did not stop; $dir is left in place"
  fi
  rm -rf "$dir"
}

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
  check) cmd_check "$@" ;;
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
