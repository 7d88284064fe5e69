#!/usr/bin/env bash
# Ensure a local PostgreSQL test database for Patchbay, and print its URL.
#
#   URL=$(scripts/pg-test-db.sh)        # the URL is the last (and only) stdout line
#   export PATCHBAY_TEST_DATABASE_URL=$URL
#
# Idempotent. Steps, each skipped when already done:
#   1. if the URL already works, stop there;
#   2. install PostgreSQL with apt-get when no cluster tooling is present
#      (Debian/Ubuntu; needs root or sudo);
#   3. create a cluster if there is none, start it, wait until it is ready;
#   4. create/update the login role (superuser, password) and the database;
#   5. drop the per-test databases (patchbay_test_*) left by test runs that have ended.
# Progress goes to stderr; only the URL goes to stdout.
#
# Overridable through the environment (values must be URL-safe):
#   PATCHBAY_PG_ROLE      (default: root)
#   PATCHBAY_PG_PASSWORD  (default: patchbay)
#   PATCHBAY_PG_DATABASE  (default: patchbay_test)
#   PATCHBAY_PG_HOST      (default: 127.0.0.1)
#   PATCHBAY_PG_PORT      (default: the port of the local cluster, else 5432)
set -euo pipefail

ROLE=${PATCHBAY_PG_ROLE:-root}
PASSWORD=${PATCHBAY_PG_PASSWORD:-patchbay}
DATABASE=${PATCHBAY_PG_DATABASE:-patchbay_test}
HOST=${PATCHBAY_PG_HOST:-127.0.0.1}
PORT=${PATCHBAY_PG_PORT:-5432}

log() { printf 'pg-test-db: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for v in ROLE PASSWORD DATABASE; do
    [[ ${!v} =~ ^[A-Za-z0-9_]+$ ]] || die "PATCHBAY_PG_$v must match [A-Za-z0-9_]+"
done

url() { printf 'postgres://%s:%s@%s:%s/%s' "$ROLE" "$PASSWORD" "$HOST" "$PORT" "$DATABASE"; }

url_works() {
    command -v psql >/dev/null 2>&1 || return 1
    PGCONNECT_TIMEOUT=5 psql "$(url)" -XAtq -c 'select 1' >/dev/null 2>&1
}

# Run a command as root (directly, or through sudo).
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# Run a command as the postgres OS user, from a directory it can read.
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    elif [[ $(id -un) == postgres ]]; then
        (cd / && "$@")
    elif command -v sudo >/dev/null 2>&1; then
        (cd / && sudo -u postgres "$@")
    else
        die "need root, sudo or the postgres user to run: $*"
    fi
}

# Each test makes a database of its own (patchbay_test_<pid>_<n>_<nanos>) and cannot drop it
# (the store may outlive the test), so they pile up on a developer's server. Drop those whose
# test process has ended; those of a suite still running are left alone.
drop_finished_test_databases() {
    local name pid dropped=0
    while read -r name; do
        [[ -n $name ]] || continue
        pid=${name#patchbay_test_}
        pid=${pid%%_*}
        [[ $pid =~ ^[0-9]+$ ]] || continue
        [[ -d /proc/$pid ]] && continue
        psql "$(url)" -XAtq -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 && dropped=$((dropped + 1))
    done < <(psql "$(url)" -XAtq -c "SELECT datname FROM pg_database WHERE datname LIKE 'patchbay\_test\_%'" 2>/dev/null)
    [[ $dropped -eq 0 ]] || log "dropped $dropped test databases of finished runs"
}

if url_works; then
    log "database already reachable"
    drop_finished_test_databases
    url; echo
    exit 0
fi

# --- 1. install -------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available"
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    ok=0
    for attempt in 1 2 3; do
        if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                postgresql postgresql-client >&2; then
            ok=1
            break
        fi
        log "apt-get failed (attempt $attempt); retrying"
        sleep $((attempt * 5))
    done
    [[ $ok -eq 1 ]] || die "could not install PostgreSQL"
fi

# --- 2. cluster -------------------------------------------------------------
# pg_lsclusters -h: "VERSION CLUSTER PORT STATUS OWNER DATADIR LOGFILE"
pick_cluster() {
    local want=${PATCHBAY_PG_PORT:-5432} line first=""
    while read -r line; do
        [[ -n $line ]] || continue
        [[ -n $first ]] || first=$line
        if [[ $(awk '{print $3}' <<<"$line") == "$want" ]]; then
            echo "$line"
            return 0
        fi
    done < <(pg_lsclusters -h 2>/dev/null | sort -k1,1nr)
    [[ -n $first ]] && echo "$first"
}

cluster=$(pick_cluster || true)
if [[ -z $cluster ]]; then
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -n | tail -n1)
    [[ -n $version ]] || die "no PostgreSQL server found under /usr/lib/postgresql"
    log "creating cluster $version/main"
    as_root pg_createcluster "$version" main >&2
    cluster=$(pick_cluster) || die "cluster creation failed"
fi
read -r VERSION NAME CPORT STATUS _ <<<"$cluster"
PORT=${PATCHBAY_PG_PORT:-$CPORT}
log "using cluster $VERSION/$NAME on port $CPORT (status: $STATUS)"

if [[ $STATUS != online* ]]; then
    # /run may be a fresh tmpfs (containers): make sure the socket directory exists.
    if [[ ! -d /var/run/postgresql ]]; then
        as_root install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    fi
    log "starting cluster $VERSION/$NAME"
    as_root pg_ctlcluster "$VERSION" "$NAME" start >&2 ||
        die "pg_ctlcluster $VERSION $NAME start failed; see /var/log/postgresql/postgresql-$VERSION-$NAME.log"
fi

ready=0
for _ in $(seq 1 60); do
    if as_postgres psql -p "$CPORT" -XAtq -d postgres -c 'select 1' >/dev/null 2>&1; then
        ready=1
        break
    fi
    sleep 1
done
[[ $ready -eq 1 ]] || die "PostgreSQL $VERSION/$NAME did not become ready within 60 s"

# --- 3. role and database ---------------------------------------------------
psql_admin() { as_postgres psql -p "$CPORT" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

if [[ $(psql_admin -At -c "select 1 from pg_roles where rolname = '$ROLE'") == 1 ]]; then
    log "updating role $ROLE"
    psql_admin -c "alter role \"$ROLE\" with superuser login password '$PASSWORD'" >&2
else
    log "creating role $ROLE"
    psql_admin -c "create role \"$ROLE\" with superuser login password '$PASSWORD'" >&2
fi

if [[ $(psql_admin -At -c "select 1 from pg_database where datname = '$DATABASE'") != 1 ]]; then
    log "creating database $DATABASE"
    psql_admin -c "create database \"$DATABASE\" owner \"$ROLE\"" >&2
fi

# --- 4. check over TCP with the password, exactly as the tests will ---------
if ! url_works; then
    PGCONNECT_TIMEOUT=5 psql "$(url)" -XAtq -c 'select 1' >&2 || true
    die "cannot connect to $(url); check listen_addresses and pg_hba.conf of $VERSION/$NAME"
fi
log "ready"
url; echo
