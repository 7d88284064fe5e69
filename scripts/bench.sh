#!/usr/bin/env bash
# Load benchmark of the patchbay server: one command, from anywhere.
#
#   scripts/bench.sh                          # SQLite only
#   scripts/bench.sh --postgres postgres://USER:PASS@HOST:PORT/DB   # SQLite, then PostgreSQL
#
# Options:
#   --postgres URL   also benchmark on PostgreSQL: a fresh database patchbay_bench_<random> is
#                    created on URL's server (the role needs CREATEDB) and dropped afterwards
#   --duration D     wrk duration per scenario (default 15s)
#   --threads N      wrk threads (default 2)
#   --connections N  wrk connections (default 32)
#   --no-build       use target/release/patchbay as it is
#
# Steps: build the release binary; start `patchbay serve --demo` on 127.0.0.1:0 with a temporary
# database; open a session (JSON Sessions_Create as api@acme); for each scenario check that a
# sample response is Success=true, then run wrk --latency with a Lua script from bench/:
#   (a) json-session      Products_Query ProductID 100, JSON binding, Session key
#   (b) soap11-session    the same over SOAP 1.1 (envelope carries the Session key)
#   (c) json-credentials  the same over JSON with Credentials in the body (password check per call)
# and measure the server's resident memory (VmRSS) idle after start and idle after the load.
# Prints a Markdown report and writes it to bench/out/latest.md (raw wrk output beside it).
# The server and wrk share this machine's cores: numbers are for the whole box.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PG_URL=""
DURATION=15s
THREADS=2
CONNECTIONS=32
BUILD=1

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --postgres) PG_URL=${2:?--postgres needs a URL}; shift 2 ;;
        --postgres=*) PG_URL=${1#*=}; shift ;;
        --duration) DURATION=${2:?}; shift 2 ;;
        --threads) THREADS=${2:?}; shift 2 ;;
        --connections) CONNECTIONS=${2:?}; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench.sh: ERROR: %s\n' "$*" >&2; exit 1; }

BIN=$ROOT/target/release/patchbay
OUT_DIR=$ROOT/bench/out
USER_NAME=api
CLIENT=acme
PASSWORD="correct horse battery"

# Targets (for context; the report marks each number against its target).
TARGET_JSON_RPS=20000
TARGET_SOAP_RPS=10000
TARGET_CRED_RPS=5000
TARGET_P99_MS=10
TARGET_RSS_MB=50

# ---------------------------------------------------------------------------------------------
# Cleanup: whatever happens, stop the server we started and drop the database we created.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-bench.XXXXXX")
SERVER_PID=""
PG_ADMIN_URL=""
PG_DB=""

stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server $SERVER_PID did not stop within 10 s of SIGTERM; killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

drop_pg_db() {
    if [[ -n $PG_DB ]]; then
        psql "$PG_ADMIN_URL" -XAtq -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 ||
            echo "warning: could not drop database $PG_DB" >&2
        PG_DB=""
    fi
}

cleanup() {
    local rc=$?
    stop_server
    drop_pg_db
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi
}

ensure_tools() {
    if ! command -v wrk >/dev/null 2>&1; then
        log "installing wrk with apt-get"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2
    fi
    command -v wrk >/dev/null || die "wrk is not installed"
    command -v curl >/dev/null || die "curl is needed"
    if [[ -n $PG_URL ]]; then command -v psql >/dev/null || die "psql is needed for --postgres"; fi
}

# VmRSS / VmHWM of a process, in MiB with one decimal.
mem_mib() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# start_server LABEL DATABASE_URL: sets SERVER_PID and BASE.
start_server() {
    local label=$1 db=$2 out=$TMP/server-$1.out err=$TMP/server-$1.err
    "$BIN" serve --demo --listen 127.0.0.1:0 --database "$db" </dev/null >"$out" 2>"$err" &
    SERVER_PID=$!
    BASE=""
    for _ in $(seq 1 600); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$out" "$err" >&2
            die "server ($label) exited before listening"
        fi
        BASE=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$out" | head -n1)
        [[ -n $BASE ]] && break
        sleep 0.1
    done
    if [[ -z $BASE ]]; then
        tail -n 50 "$err" >&2
        die "server ($label) did not print 'listening on' within 60 s"
    fi
    echo "server ($label): pid $SERVER_PID at $BASE" >&2
}

post_json() { curl -sS --max-time 30 -H 'Content-Type: application/json' --data-binary "$2" "$BASE/api/v20/$1"; }

json_session_body() { printf '{"Session":{"SessionKey":"%s"},"ProductID":100}' "$1"; }
json_credentials_body() {
    printf '{"Credentials":{"Username":"%s","Password":"%s","Client":"%s"},"ProductID":100}' "$USER_NAME" "$PASSWORD" "$CLIENT"
}
soap11_body() {
    printf '%s' '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Products_Query xmlns="http://api.myh2o.com/v20"><Request>' \
        "<Session><SessionKey>$1</SessionKey></Session><ProductID>100</ProductID>" \
        '</Request></Products_Query></soap:Body></soap:Envelope>'
}

# check_sample SCENARIO KEY: one request like the benchmark's, which must succeed.
check_sample() {
    local scenario=$1 key=$2 resp
    case $scenario in
        json-session) resp=$(post_json Products_Query "$(json_session_body "$key")") ;;
        json-credentials) resp=$(post_json Products_Query "$(json_credentials_body)") ;;
        soap11-session)
            resp=$(curl -sS --max-time 30 -H 'Content-Type: text/xml; charset=utf-8' \
                -H 'SOAPAction: "http://api.myh2o.com/v20/Products_Query"' \
                --data-binary "$(soap11_body "$key")" "$BASE/v20/default.asmx")
            ;;
    esac
    if [[ $scenario == soap* ]]; then
        grep -q '<Success>true</Success>' <<<"$resp" && grep -q '<ID>100</ID>' <<<"$resp" && return 0
    else
        grep -Eq '"Success": ?true' <<<"$resp" && grep -Eq '"ID": ?100' <<<"$resp" && return 0
    fi
    echo "response: ${resp:0:2000}" >&2
    die "sample $scenario request did not succeed"
}

# field NAME FILE: a number from the BENCH_RESULT line.
field() { sed -n "s/^BENCH_RESULT .*\"$1\":\([0-9.]*\).*/\1/p" "$2" | head -n1; }

ROWS=()
MEM_ROWS=()

mark() { # mark VALUE OP TARGET -> "ok" / "MISS"
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "ok" : "MISS" }'
}

run_scenario() {
    local dblabel=$1 scenario=$2 key=$3 script url target
    shift 3
    case $scenario in
        json-session) script=bench/json_session.lua; url=$BASE/api/v20/Products_Query; target=$TARGET_JSON_RPS; set -- "$key" ;;
        soap11-session) script=bench/soap11_session.lua; url=$BASE/v20/default.asmx; target=$TARGET_SOAP_RPS; set -- "$key" ;;
        json-credentials) script=bench/json_credentials.lua; url=$BASE/api/v20/Products_Query; target=$TARGET_CRED_RPS
            set -- "$USER_NAME" "$CLIENT" "$PASSWORD" ;;
    esac
    check_sample "$scenario" "$key"
    local raw=$OUT_DIR/latest-wrk-$dblabel-$scenario.txt
    log "$dblabel / $scenario: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$url" -- "$@" | tee "$raw" >&2
    check_sample "$scenario" "$key" # still answering correctly after the load
    local rps p50 p99 errs non2xx
    rps=$(field rps "$raw")
    p50=$(field p50_us "$raw")
    p99=$(field p99_us "$raw")
    errs=$(field socket_errors "$raw")
    non2xx=$(field non_2xx "$raw")
    [[ -n $rps && -n $p50 && -n $p99 ]] || die "no BENCH_RESULT line in wrk output ($raw)"
    local p50ms p99ms
    p50ms=$(awk -v u="$p50" 'BEGIN { printf "%.2f", u / 1000 }')
    p99ms=$(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')
    ROWS+=("| $scenario | $dblabel | $(printf '%.0f' "$rps") | $p50ms | $p99ms | $errs / $non2xx | ≥ $target req/s: $(mark "$rps" '>=' "$target"); p99 ≤ $TARGET_P99_MS ms: $(mark "$p99ms" '<=' "$TARGET_P99_MS") |")
}

bench_database() {
    local dblabel=$1 db=$2
    log "benchmark on $dblabel"
    start_server "$dblabel" "$db"
    sleep 2 # let start-up work settle before reading idle memory
    local rss_start rss_after hwm
    rss_start=$(mem_mib "$SERVER_PID" VmRSS)
    local resp key
    resp=$(post_json Sessions_Create "$(printf '{"Credentials":{"Username":"%s","Password":"%s","Client":"%s"}}' "$USER_NAME" "$PASSWORD" "$CLIENT")")
    key=$(sed -n 's/.*"SessionKey": *"\([^"]*\)".*/\1/p' <<<"$resp")
    [[ -n $key ]] || die "Sessions_Create failed: $resp"
    for scenario in json-session soap11-session json-credentials; do
        run_scenario "$dblabel" "$scenario" "$key"
    done
    sleep 2 # idle again
    rss_after=$(mem_mib "$SERVER_PID" VmRSS)
    hwm=$(mem_mib "$SERVER_PID" VmHWM)
    MEM_ROWS+=("| $dblabel | $rss_start | $rss_after | $hwm | ≤ $TARGET_RSS_MB MB idle: $(mark "$rss_after" '<=' "$TARGET_RSS_MB") |")
    local pid=$SERVER_PID
    kill -TERM "$pid"
    local code=0
    wait "$pid" || code=$?
    SERVER_PID=""
    [[ $code -eq 0 ]] || echo "warning: server ($dblabel) exited with code $code after SIGTERM" >&2
}

# ---------------------------------------------------------------------------------------------
ensure_tools
if [[ $BUILD -eq 1 ]]; then
    log "cargo build --release --bin patchbay"
    cargo build --release --bin patchbay >&2
fi
[[ -x $BIN ]] || die "$BIN is missing: run cargo build --release --bin patchbay"
mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/latest-wrk-*.txt

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
bench_database sqlite "sqlite://$TMP/bench.db"

if [[ -n $PG_URL ]]; then
    base=${PG_URL%%\?*}
    query=""
    [[ $PG_URL == *\?* ]] && query="?${PG_URL#*\?}"
    rest=${base#*://}
    [[ $rest == */* ]] && base=${base%/*}
    PG_ADMIN_URL="$base/postgres$query"
    PG_DB="patchbay_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    psql "$PG_ADMIN_URL" -XAtq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null ||
        die "could not create database $PG_DB on $base"
    bench_database postgres "$base/$PG_DB$query"
    drop_pg_db
fi

# ---------------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
    echo "# Patchbay load benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "- machine: $(nproc) CPUs ($cpu), $mem memory, kernel $(uname -r)"
    echo "- load average before the runs (1/5/15 min): $LOAD_BEFORE (other work on the machine skews the numbers)"
    echo "- tools: $(rustc --version 2>/dev/null || echo 'rustc ?'); $(wrk -v 2>&1 | head -n1 | sed 's/ \[.*//')"
    echo "- load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency on the same machine as the server (they share the CPUs);"
    echo "  every request is Products_Query ProductID 100 on the --demo data, checked Success=true before and after each run"
    echo
    echo "| scenario | database | req/s | p50 ms | p99 ms | socket errors / non-2xx | target |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | --- |"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "| server memory | idle RSS after start (MiB) | idle RSS after load (MiB) | peak RSS (MiB) | target |"
    echo "| --- | ---: | ---: | ---: | --- |"
    printf '%s\n' "${MEM_ROWS[@]}"
} >"$OUT_DIR/latest.md"

printf '\n'
cat "$OUT_DIR/latest.md"
printf '\n(written to %s)\n' "${OUT_DIR#"$ROOT"/}/latest.md"
