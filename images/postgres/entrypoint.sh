#!/bin/bash
# Entrypoint of platform/postgres: on first start (no $PGDATA/PG_VERSION yet) it creates the cluster
# from the official postgres image's variables, then execs the server in the foreground.
#   POSTGRES_USER           the cluster's superuser (default: postgres)
#   POSTGRES_PASSWORD_FILE  a file holding its password (or POSTGRES_PASSWORD; one of them is required)
#   POSTGRES_DB             a database created for it (default: $POSTGRES_USER)
#   PGDATA                  the cluster directory (image default: /var/lib/postgresql/data/pgdata)
#   POSTGRES_INITDB_ARGS    extra initdb arguments (optional)
# Authentication: scram-sha-256 for every network client; local socket connections (inside this
# container only: the socket lives in /var/run/postgresql) are trusted, as in the official image.
# The server listens on all addresses. Never runs as root; writes only $PGDATA and the socket dir.
set -euo pipefail

die() { printf 'postgres-entrypoint: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" != 0 ] || die "refusing to run as root: run as the image's postgres user ($(id -u postgres 2>/dev/null || echo 999))"

# `docker run IMAGE -c name=value` passes server options only
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
[ "$1" = postgres ] || exec "$@"

: "${PGDATA:?PGDATA is not set}"
export PGDATA
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

quote_ident() { local s=${1//\"/\"\"}; printf '"%s"' "$s"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    [ -r "$POSTGRES_PASSWORD_FILE" ] || die "POSTGRES_PASSWORD_FILE=$POSTGRES_PASSWORD_FILE is not a readable file"
    password=$(<"$POSTGRES_PASSWORD_FILE")
  else
    password=${POSTGRES_PASSWORD:-}
  fi
  [ -n "$password" ] || die "no password: set POSTGRES_PASSWORD_FILE (or POSTGRES_PASSWORD) to initialise $PGDATA"
  case $password in *$'\n'*) die "the password must be one line" ;; esac

  mkdir -p "$PGDATA" || die "cannot create $PGDATA as UID $(id -u): the volume's directory must belong to it"
  chmod 0700 "$PGDATA"
  printf 'postgres-entrypoint: initialising %s (superuser %s, database %s)\n' "$PGDATA" "$POSTGRES_USER" "$POSTGRES_DB" >&2
  # the password reaches initdb through a pipe, never a file or the command line
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words
  initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$password") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
    ${POSTGRES_INITDB_ARGS:-} >&2
  unset password
  {
    echo
    echo '# platform: every network client authenticates with scram-sha-256'
    echo 'host all all all scram-sha-256'
  } >>"$PGDATA/pg_hba.conf"
  {
    echo
    echo '# platform (postgres-entrypoint)'
    echo "listen_addresses = '*'"
    echo "password_encryption = 'scram-sha-256'"
  } >>"$PGDATA/postgresql.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    # single-user mode: no socket, no listener until the cluster is complete
    printf 'CREATE DATABASE %s OWNER %s;\n' "$(quote_ident "$POSTGRES_DB")" "$(quote_ident "$POSTGRES_USER")" \
      | postgres --single -D "$PGDATA" -c listen_addresses= -c log_min_messages=warning template1 >/dev/null \
      || die "creating database $POSTGRES_DB failed"
  fi
  printf 'postgres-entrypoint: cluster initialised\n' >&2
fi

exec "$@"
