#!/usr/bin/env bash
# Load benchmark of the patchbay server: one command, from anywhere.
#
#   scripts/bench.sh [MODE] [--postgres URL|auto] [options]
#
#   scripts/bench.sh                          # products mode, SQLite only
#   scripts/bench.sh --postgres postgres://USER:PASS@HOST:PORT/DB   # SQLite, then PostgreSQL
#   scripts/bench.sh orders --postgres auto   # orders mode on SQLite, then on the local
#                                             # PostgreSQL that scripts/pg-test-db.sh sets up
#
# Modes:
#   products (default)  Products_Query by ProductID: JSON and SOAP with a session, JSON with
#                       Credentials; report in bench/out/latest.md
#   orders              NewOrders_Create, then Orders_Query and Orders_Search over a loaded
#                       data set of --orders orders; report in bench/out/latest-orders.md
#   flow                NewOrders_Create with SendOrders to the demo's simulated provider at
#                       zero delay, end to end until every order is COMPLETE (one server on
#                       SQLite; three on PostgreSQL), and the queue latency of an idle server;
#                       report in bench/out/latest-flow.md
#   console             the operator console's pages (bench/console_pages.py: 200 GETs each
#                       after signing in) on the demo data and on --orders orders written by
#                       bench-data; report in bench/out/latest-console.md
#   all                 products and orders
#
# Options:
#   --postgres URL   also benchmark on PostgreSQL: fresh databases patchbay_bench_<random> are
#                    created on URL's server (the role needs CREATEDB) and dropped afterwards;
#                    `auto` takes the URL that scripts/pg-test-db.sh prints (it installs and
#                    starts PostgreSQL when needed)
#   --duration D     wrk duration per scenario (default 15s)
#   --threads N      wrk threads (default 2)
#   --connections N  wrk connections (default 32)
#   --orders N       orders mode: orders in the loaded data set (default 1000000)
#   --customers N    orders mode: customers they belong to (default 100000)
#   --no-build       use target/release/patchbay as it is (or $PATCHBAY_BENCH_BIN)
#   --only PHASE     orders mode: run one phase alone, `create` (1. below, NewOrders_Create,
#                    a few minutes) or `queries` (2. below, the load of --orders orders and the
#                    queries over it, about half an hour); default both
#
# Products mode: build the release binary; start `patchbay serve --demo` on 127.0.0.1:0 with a
# temporary database; open a session (JSON Sessions_Create as api@acme); for each scenario check
# that a sample response is Success=true, then run wrk --latency with a Lua script from bench/:
#   (a) json-session      Products_Query ProductID 100, JSON binding, Session key
#   (b) soap11-session    the same over SOAP 1.1 (envelope carries the Session key)
#   (c) json-credentials  the same over JSON with Credentials in the body (password check per call)
# and measure the server's resident memory (VmRSS) idle after start and idle after the load.
#
# Orders mode, on each database:
#   1. NewOrders_Create (bench/new_orders.lua): `serve --demo` on a fresh database; a SIM
#      inventory type and enough AVAILABLE SIMs (Inventory_Bulk_Create of valid ICCIDs) that no
#      request reuses one; 1,000 customers (Customers_Create); then each request orders package
#      1000 (products 100 and 101) plus product 103 with the next SIM, for the next customer.
#      JSON, then SOAP 1.1. Every answer is checked, and the orders stored are counted after.
#   2. Queries on a fresh database loaded with `patchbay bench-data orders` (timed): Orders_Query
#      of random orders; Orders_Search by CustomerID (every match, and PageSize=100 Page=1); by
#      Status and CarrierID with PageSize=100 Page=1 (open statuses, and COMPLETE, the largest).
# Prints a Markdown report and writes it to bench/out/ (raw wrk output beside it).
# The server and wrk share this machine's cores: numbers are for the whole box.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MODE=products
PG_URL=""
DURATION=15s
THREADS=2
CONNECTIONS=32
BUILD=1
ORDERS=1000000
CUSTOMERS=100000
ONLY=""

usage() { sed -n '2,51p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --postgres) PG_URL=${2:?--postgres needs a URL}; shift 2 ;;
        --postgres=*) PG_URL=${1#*=}; shift ;;
        --duration) DURATION=${2:?}; shift 2 ;;
        --threads) THREADS=${2:?}; shift 2 ;;
        --connections) CONNECTIONS=${2:?}; shift 2 ;;
        --orders) ORDERS=${2:?}; shift 2 ;;
        --customers) CUSTOMERS=${2:?}; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --only) ONLY=${2:?--only needs create or queries}; shift 2 ;;
        --only=*) ONLY=${1#*=}; shift ;;
        products | orders | flow | console | all) MODE=$1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

case $ONLY in
    "" | create | queries) ;;
    *) echo "bench.sh: --only takes create or queries, not $ONLY" >&2; exit 2 ;;
esac

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench.sh: ERROR: %s\n' "$*" >&2; exit 1; }

BIN=${PATCHBAY_BENCH_BIN:-$ROOT/target/release/patchbay}
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
# Servers started besides SERVER_PID (flow mode's other processes), stopped with it.
EXTRA_PIDS=()
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

stop_extra_servers() {
    local pid
    for pid in "${EXTRA_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${EXTRA_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    EXTRA_PIDS=()
}

cleanup() {
    local rc=$?
    stop_extra_servers
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

# start_server LABEL DATABASE_URL [SERVE_ARGS...] (default --demo): sets SERVER_PID and BASE.
start_server() {
    local label=$1 db=$2 out=$TMP/server-$1.out err=$TMP/server-$1.err
    shift 2
    [[ $# -gt 0 ]] || set -- --demo
    "$BIN" serve "$@" --listen 127.0.0.1:0 --database "$db" </dev/null >"$out" 2>"$err" &
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
# Orders mode.

TARGET_NEW_ORDERS_RPS_SQLITE=2000
TARGET_NEW_ORDERS_RPS_POSTGRES=1000
TARGET_NEW_ORDERS_P99_MS=25
TARGET_ORDERS_QUERY_P99_MS=5
TARGET_ORDERS_SEARCH_P99_MS=20
TARGET_FLOW_SQLITE=1000
TARGET_FLOW_POSTGRES=1500
TARGET_FLOW_LATENCY_MS=50
TARGET_CONSOLE_DEMO_MS=50
TARGET_CONSOLE_LARGE_MS=200
CONSOLE_ROWS=()
ORDER_ROWS=()
FLOW_ROWS=()
LATENCY_ROWS=()
LOAD_ROWS=()

# CPU time (user + system, in clock ticks) a process has used, all its threads together.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# CPU ticks of every PostgreSQL process on this machine (the server and its backends), counting
# those that have exited too: the postmaster has waited for them, so their time is in its
# cutime/cstime (fields 16 and 17). Without those, a backend ending during a run took its CPU
# out of the total and the difference could come out negative.
postgres_ticks() {
    local total=0 pid
    for pid in $(pgrep -u postgres 2>/dev/null); do
        total=$((total + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# Seconds in a wrk duration (30s, 2m, 1h, or plain seconds).
duration_secs() {
    local d=$1
    case $d in
        *h) echo $((${d%h} * 3600)) ;;
        *m) echo $((${d%m} * 60)) ;;
        *s) echo "${d%s}" ;;
        *) echo "$d" ;;
    esac
}

# open_session: Sessions_Create as api@acme; prints the key.
open_session() {
    local resp key
    resp=$(post_json Sessions_Create "$(printf '{"Credentials":{"Username":"%s","Password":"%s","Client":"%s"}}' "$USER_NAME" "$PASSWORD" "$CLIENT")")
    key=$(sed -n 's/.*"SessionKey": *"\([^"]*\)".*/\1/p' <<<"$resp")
    [[ -n $key ]] || die "Sessions_Create failed: $resp"
    printf '%s' "$key"
}

# must_succeed WHAT RESPONSE: the JSON answer must be Success=true.
must_succeed() {
    grep -Eq '"Success": ?true' <<<"$2" && return 0
    echo "response: ${2:0:2000}" >&2
    die "$1 did not succeed"
}

# iccids N FILE: N valid ICCIDs, 19 digits: 89 (telecom), 01410 (an issuer), a serial that
# starts from a random base, and the Luhn check digit.
iccids() {
    awk -v n="$1" -v base="$((RANDOM * 100000))" '
        function luhn(s,   i, d, sum, len) {
            len = length(s); sum = 0
            for (i = len; i >= 1; i--) {
                d = substr(s, i, 1) + 0
                if ((len - i) % 2 == 0) { d *= 2; if (d > 9) d -= 9 }
                sum += d
            }
            return (10 - sum % 10) % 10
        }
        BEGIN { for (i = 1; i <= n; i++) { p = sprintf("8901410%011.0f", base + i); print p luhn(p) } }' >"$2"
}

# bulk_create_sims KEY TYPE_ID FILE: Inventory_Bulk_Create of every ICCID in FILE, 50,000 a request.
bulk_create_sims() {
    local key=$1 type=$2 file=$3 chunk resp
    split -l 50000 -d "$file" "$TMP/sims-chunk-"
    for chunk in "$TMP"/sims-chunk-*; do
        awk -v key="$key" -v type="$type" '
            BEGIN { printf "{\"Session\":{\"SessionKey\":\"%s\"},\"InventoryItems\":[", key }
            { printf "%s{\"InventoryTypeID\":%d,\"Identifier\":\"%s\"}", (NR > 1 ? "," : ""), type, $1 }
            END { print "]}" }' "$chunk" >"$chunk.json"
        resp=$(curl -sS --max-time 120 -H 'Content-Type: application/json' --data-binary "@$chunk.json" "$BASE/api/v20/Inventory_Bulk_Create")
        must_succeed "Inventory_Bulk_Create of $(wc -l <"$chunk") SIMs" "$resp"
        rm -f "$chunk" "$chunk.json"
    done
}

# create_customers KEY N: N Customers_Create calls over one connection; prints "FIRST LAST".
create_customers() {
    local key=$1 n=$2 cfg=$TMP/customers.curl ids
    : >"$cfg"
    for i in $(seq 1 "$n"); do
        [[ $i -gt 1 ]] && echo next >>"$cfg"
        printf 'url = "%s/api/v20/Customers_Create"\nheader = "Content-Type: application/json"\n' "$BASE" >>"$cfg"
        printf 'data = "{\\"Session\\":{\\"SessionKey\\":\\"%s\\"},\\"CustomerClass\\":\\"Residential\\",\\"FirstName\\":\\"Bench\\",\\"LastName\\":\\"Customer %d\\",\\"Status\\":\\"Open\\",\\"BillProfileID\\":1,\\"ServiceAddress\\":{\\"FirstName\\":\\"Bench\\",\\"LastName\\":\\"Customer %d\\",\\"Address1\\":\\"1200 Main St\\",\\"City\\":\\"Houston\\",\\"State\\":\\"TX\\",\\"Zip\\":\\"77002\\"}}"\nwrite-out = "\\n"\n' "$key" "$i" "$i" >>"$cfg"
    done
    curl -sS --max-time 300 -K "$cfg" >"$TMP/customers.out"
    ids=$(grep -o '"CustomerID": *[0-9]*' "$TMP/customers.out" | grep -o '[0-9]*$' | sort -n)
    [[ $(wc -l <<<"$ids") -eq $n ]] || die "Customers_Create: $(grep -c '"Success":true' "$TMP/customers.out") of $n succeeded: $(head -c 600 "$TMP/customers.out")"
    echo "$(head -n1 <<<"$ids") $(tail -n1 <<<"$ids")"
}

# count_orders KEY [FILTER]: how many orders match FILTER (JSON members, e.g. '"Status":["SENT"]'),
# or all the client has. RecordCount counts 10,000 past the page asked for, so the page asked
# for is far out (page 2,000 of 500: exact up to 1,010,000), and the answer must say it is exact.
count_orders() {
    local resp
    resp=$(post_json Orders_Search "$(printf '{"Session":{"SessionKey":"%s"},%s"PageSize":500,"Page":2000}' "$1" "${2:+$2,}")")
    grep -q '"RecordCountExact": *true' <<<"$resp" || die "Orders_Search gave no exact RecordCount: $(head -c 300 <<<"$resp")"
    sed -n 's/.*"RecordCount": *\([0-9]*\).*/\1/p' <<<"$resp"
}

# run_wrk DBLABEL SCENARIO PATH SCRIPT RPS_TARGET P99_TARGET_MS -- SCRIPT_ARGS...: one wrk run
# whose answers the script checks; adds a row to ORDER_ROWS. RPS_TARGET may be "-".
run_wrk() {
    local dblabel=$1 scenario=$2 path=$3 script=$4 rps_target=$5 p99_target=$6
    shift 7
    local c=${WRK_CONNECTIONS:-$CONNECTIONS} t=${WRK_THREADS:-$THREADS}
    [[ $c == "$CONNECTIONS" ]] || scenario="$scenario-c$c"
    local raw=$OUT_DIR/latest-orders-wrk-$dblabel-$scenario.txt cpu0 cpu1 pg0=0 pg1=0
    log "$dblabel / $scenario: wrk -t$t -c$c -d$DURATION --latency $BASE$path"
    cpu0=$(cpu_ticks "$SERVER_PID")
    [[ $dblabel == postgres ]] && pg0=$(postgres_ticks)
    wrk -t"$t" -c"$c" -d"$DURATION" --latency -s "$script" "$BASE$path" -- "$@" | tee "$raw" >&2
    cpu1=$(cpu_ticks "$SERVER_PID")
    [[ $dblabel == postgres ]] && pg1=$(postgres_ticks)
    local rps p50 p99 errs non2xx failed
    rps=$(field rps "$raw")
    p50=$(field p50_us "$raw")
    p99=$(field p99_us "$raw")
    errs=$(field socket_errors "$raw")
    non2xx=$(field non_2xx "$raw")
    failed=$(field failed "$raw")
    [[ -n $rps && -n $p50 && -n $p99 && -n $failed ]] || die "no BENCH_RESULT line in wrk output ($raw)"
    local p50ms p99ms target
    p50ms=$(awk -v u="$p50" 'BEGIN { printf "%.2f", u / 1000 }')
    p99ms=$(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')
    target="p99 ≤ $p99_target ms: $(mark "$p99ms" '<=' "$p99_target")"
    [[ $rps_target == - ]] || target="≥ $rps_target req/s: $(mark "$rps" '>=' "$rps_target"); $target"
    [[ $failed == 0 ]] || target="$target; **$failed answers not Success=true** (see $raw)"
    local cpu_ms per_req='BEGIN { printf "%.2f", t * 1000 / hz / n }'
    cpu_ms=$(awk -v t="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v n="$(field requests "$raw")" "$per_req")
    [[ $dblabel == postgres ]] &&
        cpu_ms="$cpu_ms + $(awk -v t="$((pg1 - pg0))" -v hz="$(getconf CLK_TCK)" -v n="$(field requests "$raw")" "$per_req")"
    ORDER_ROWS+=("| $scenario | $dblabel | $(printf '%.0f' "$rps") | $p50ms | $p99ms | $cpu_ms | $errs / $non2xx / $failed | $target |")
    LAST_REQUESTS=$(field requests "$raw")
    LAST_FAILED=$failed
}

# bench_new_orders DBLABEL DATABASE_URL: NewOrders_Create over JSON, then SOAP 1.1.
bench_new_orders() {
    local dblabel=$1 db=$2 target=$TARGET_NEW_ORDERS_RPS_SQLITE
    [[ $dblabel == postgres ]] && target=$TARGET_NEW_ORDERS_RPS_POSTGRES
    log "NewOrders_Create on $dblabel"
    # The API alone: orders stay NEW (flow mode measures them travelling to the provider).
    start_server "$dblabel-new-orders" "$db" --demo --no-flow
    local key type resp ids first last per_run
    key=$(open_session)
    resp=$(post_json InventoryTypes_Create "$(printf '{"Session":{"SessionKey":"%s"},"InventoryType":{"Type":"SIM_Card","Identifier":"ICCID","Name":"Bench SIM","RequiresProduct":true,"Format":"ICCID_DECIMAL","ProductIDs":[100]}}' "$key")")
    must_succeed InventoryTypes_Create "$resp"
    type=$(sed -n 's/.*"ID": *\([0-9]*\).*/\1/p' <<<"$resp")
    # Enough SIMs that no request reuses one even at 8,000 requests/s, and one for the sample.
    per_run=$(($(duration_secs "$DURATION") * 8000))
    iccids $((3 * per_run + 1)) "$TMP/iccids.txt"
    head -n "$per_run" "$TMP/iccids.txt" >"$TMP/iccids-json.txt"
    sed -n "$((per_run + 1)),$((2 * per_run))p" "$TMP/iccids.txt" >"$TMP/iccids-soap.txt"
    sed -n "$((2 * per_run + 1)),$((3 * per_run))p" "$TMP/iccids.txt" >"$TMP/iccids-c1.txt"
    log "creating $((3 * per_run + 1)) SIMs (Inventory_Bulk_Create) and 1000 customers (Customers_Create)"
    bulk_create_sims "$key" "$type" "$TMP/iccids.txt"
    ids=$(create_customers "$key" 1000)
    read -r first last <<<"$ids"
    resp=$(post_json NewOrders_Create "$(printf '{"Session":{"SessionKey":"%s"},"CustomerID":%d,"PackageID":1000,"AdditionalProducts":[{"ProductID":103}],"WirelessICCID":"%s"}' "$key" "$first" "$(tail -n1 "$TMP/iccids.txt")")")
    must_succeed "sample NewOrders_Create" "$resp"
    grep -Eq '"Orders": ?\[[0-9]+, ?[0-9]+\]' <<<"$resp" || die "the sample NewOrders_Create made other than two orders: $resp"
    local before after made=0
    before=$(count_orders "$key")
    run_wrk "$dblabel" new-orders-json /api/v20/NewOrders_Create bench/new_orders.lua "$target" "$TARGET_NEW_ORDERS_P99_MS" \
        -- "$key" "$TMP/iccids-json.txt" "$THREADS" "$first" "$last" 1000 103 json
    made=$((made + LAST_REQUESTS - LAST_FAILED))
    run_wrk "$dblabel" new-orders-soap11 /v20/default.asmx bench/new_orders.lua "$target" "$TARGET_NEW_ORDERS_P99_MS" \
        -- "$key" "$TMP/iccids-soap.txt" "$THREADS" "$first" "$last" 1000 103 soap11
    made=$((made + LAST_REQUESTS - LAST_FAILED))
    WRK_CONNECTIONS=1 WRK_THREADS=1 run_wrk "$dblabel" new-orders-json /api/v20/NewOrders_Create bench/new_orders.lua - \
        "$TARGET_NEW_ORDERS_P99_MS" -- "$key" "$TMP/iccids-c1.txt" 1 "$first" "$last" 1000 103 json
    made=$((made + LAST_REQUESTS - LAST_FAILED))
    after=$(count_orders "$key")
    # wrk counts requests it sent; one cut off by the end of the run may still have been served.
    echo "orders stored during the runs: $((after - before)); two per successful request counted by wrk: $((2 * made))" >&2
    CHECK_LINES+=("- $dblabel: orders stored during the NewOrders_Create runs $((after - before)), for $made answered Success=true (two orders each: products 100 and 101 from provider 10, 103 from provider 12)")
    MEM_ROWS+=("| $dblabel, NewOrders_Create | $(mem_mib "$SERVER_PID" VmRSS) | $(mem_mib "$SERVER_PID" VmHWM) |")
    stop_server
}

# bench_order_queries DBLABEL DATABASE_URL: load the data set, then query it.
bench_order_queries() {
    local dblabel=$1 db=$2
    log "loading $ORDERS orders for $CUSTOMERS customers on $dblabel"
    "$BIN" apply --database "$db" "$ROOT/demo/settings.toml" >&2
    local t0 t1 summary
    t0=$(date +%s.%N)
    summary=$("$BIN" bench-data orders --database "$db" --client "$CLIENT" --customers "$CUSTOMERS" --orders "$ORDERS")
    t1=$(date +%s.%N)
    echo "$summary" >&2
    local cf cl of ol size secs
    read -r cf cl < <(sed -n 's/.* customers (ids \([0-9]*\)-\([0-9]*\)).*/\1 \2/p' <<<"$summary")
    read -r of ol < <(sed -n 's/.* orders (ids \([0-9]*\)-\([0-9]*\)).*/\1 \2/p' <<<"$summary")
    [[ -n $cf && -n $of ]] || die "bench-data printed no ids: $summary"
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    if [[ $dblabel == postgres ]]; then
        size=$(psql "$db" -XAtq -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
    else
        size="$(du -sh "$TMP/queries.db" "$TMP/queries.clients" | awk '{ print $1 }' | paste -sd+) (registry + client files)"
    fi
    LOAD_ROWS+=("| $dblabel | $(sed -n 's/^wrote \(.*\) in [0-9.]* s$/\1/p' <<<"$summary") | $secs s | $(awk -v n="$ORDERS" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') | $size |")

    start_server "$dblabel-queries" "$db" --settings "$ROOT/demo/settings.toml"
    local key resp
    key=$(open_session)
    must_succeed "sample Orders_Query" "$(post_json Orders_Query "$(printf '{"Session":{"SessionKey":"%s"},"OrderID":%d}' "$key" "$ol")")"
    resp=$(post_json Orders_Search "$(printf '{"Session":{"SessionKey":"%s"},"CustomerID":[%d],"PageSize":100,"Page":1}' "$key" "$cf")")
    must_succeed "sample Orders_Search by CustomerID" "$resp"
    echo "customer $cf: $(sed -n 's/.*"RecordCount": *\([0-9]*\).*/\1/p' <<<"$resp") orders" >&2
    local open="SENT,CONFIRMED,ERROR,HOLD,JEOPARDY" n
    for s in ${open//,/ } COMPLETE; do
        n=$(count_orders "$key" "$(printf '"Status":["%s"],"CarrierID":[10]' "$s")")
        COUNT_LINES+=("$s/10: $n")
    done
    CHECK_LINES+=("- $dblabel: orders with Status and CarrierID 10 in the data set: ${COUNT_LINES[*]}")
    COUNT_LINES=()
    run_wrk "$dblabel" orders-query /api/v20/Orders_Query bench/orders_query.lua - "$TARGET_ORDERS_QUERY_P99_MS" \
        -- "$key" "$of" "$ol"
    run_wrk "$dblabel" search-customer /api/v20/Orders_Search bench/orders_search.lua - "$TARGET_ORDERS_SEARCH_P99_MS" \
        -- "$key" customer "$cf" "$cl"
    run_wrk "$dblabel" search-customer-page100 /api/v20/Orders_Search bench/orders_search.lua - "$TARGET_ORDERS_SEARCH_P99_MS" \
        -- "$key" customer "$cf" "$cl" 100
    run_wrk "$dblabel" search-status-carrier-page100 /api/v20/Orders_Search bench/orders_search.lua - "$TARGET_ORDERS_SEARCH_P99_MS" \
        -- "$key" status "$open" 10,11,12 100
    run_wrk "$dblabel" search-complete-carrier10-page100 /api/v20/Orders_Search bench/orders_search.lua - "$TARGET_ORDERS_SEARCH_P99_MS" \
        -- "$key" status COMPLETE 10 100
    # One connection: the time one request takes, with nothing queued before it.
    WRK_CONNECTIONS=1 WRK_THREADS=1 run_wrk "$dblabel" orders-query /api/v20/Orders_Query bench/orders_query.lua - \
        "$TARGET_ORDERS_QUERY_P99_MS" -- "$key" "$of" "$ol"
    WRK_CONNECTIONS=1 WRK_THREADS=1 run_wrk "$dblabel" search-status-carrier-page100 /api/v20/Orders_Search \
        bench/orders_search.lua - "$TARGET_ORDERS_SEARCH_P99_MS" -- "$key" status "$open" 10,11,12 100
    MEM_ROWS+=("| $dblabel, $ORDERS orders queried | $(mem_mib "$SERVER_PID" VmRSS) | $(mem_mib "$SERVER_PID" VmHWM) |")
    stop_server
}

CHECK_LINES=()
COUNT_LINES=()

# console_rows LABEL BASE COUNT CUSTOMER ORDER: times the console's pages (bench/console_pages.py)
# and adds a row per page to CONSOLE_ROWS.
console_rows() {
    local label=$1 out line page p50 p99 target
    out=$(python3 "$ROOT/bench/console_pages.py" "$2" "$3" "$4" "$5") || die "bench/console_pages.py failed"
    target=$TARGET_CONSOLE_DEMO_MS
    [[ $label == demo* ]] || target=$TARGET_CONSOLE_LARGE_MS
    while IFS= read -r line; do
        line=${line#BENCH_CONSOLE }
        page=$(sed -n 's/.*"page": *"\([^"]*\)".*/\1/p' <<<"$line")
        p50=$(sed -n 's/.*"p50_ms": *\([0-9.]*\).*/\1/p' <<<"$line")
        p99=$(sed -n 's/.*"p99_ms": *\([0-9.]*\).*/\1/p' <<<"$line")
        CONSOLE_ROWS+=("| $label | $page | $p50 | $p99 | p99 ≤ $target ms: $(mark "$p99" '<=' "$target") |")
    done < <(grep '^BENCH_CONSOLE ' <<<"$out")
}

# bench_console DBLABEL DATABASE_URL: the console's pages on the demo data, then on --orders
# orders written by bench-data.
bench_console() {
    local dblabel=$1 db=$2
    log "console pages on $dblabel: the demo"
    start_server "$dblabel-console-demo" "$3" --demo --no-flow
    console_rows "demo, $dblabel" "$BASE" 200 1 1
    stop_server
    log "console pages on $dblabel: loading $ORDERS orders for $CUSTOMERS customers"
    "$BIN" apply --database "$db" "$ROOT/demo/settings.toml" >&2
    local summary cf ol
    summary=$("$BIN" bench-data orders --database "$db" --client "$CLIENT" --customers "$CUSTOMERS" --orders "$ORDERS")
    echo "$summary" >&2
    cf=$(sed -n 's/.* customers (ids \([0-9]*\)-[0-9]*).*/\1/p' <<<"$summary")
    ol=$(sed -n 's/.* orders (ids [0-9]*-\([0-9]*\)).*/\1/p' <<<"$summary")
    [[ -n $cf && -n $ol ]] || die "bench-data printed no ids: $summary"
    start_server "$dblabel-console-large" "$db" --settings "$ROOT/demo/settings.toml" --no-flow
    console_rows "$ORDERS orders, $dblabel" "$BASE" 200 "$cf" "$ol"
    MEM_ROWS+=("| $dblabel, console on $ORDERS orders | $(mem_mib "$SERVER_PID" VmRSS) | $(mem_mib "$SERVER_PID" VmHWM) |")
    stop_server
}

# backlog: orders in the flow-through queue, from /readyz.
backlog() { curl -sS --max-time 10 "$BASE/readyz" | sed -n 's/.*"orders_queued": *\([0-9]*\).*/\1/p'; }

now_ms() { date +%s%3N; }

# bench_flow DBLABEL DATABASE_URL PROCESSES: orders created with SendOrders by wrk (split over
# the processes), timed until the queue is empty and counted COMPLETE; then queue latency.
bench_flow() {
    local dblabel=$1 db=$2 procs=$3 settings=$ROOT/bench/flow-settings.toml
    log "flow-through on $dblabel with $procs server process(es)"
    local bases=() pids=() i
    for ((i = 0; i < procs; i++)); do
        if [[ $i -eq 0 ]]; then
            start_server "$dblabel-flow-$i" "$db" --demo --settings "$settings"
        else
            start_server "$dblabel-flow-$i" "$db" --settings "$settings"
            EXTRA_PIDS+=("$SERVER_PID")
        fi
        bases+=("$BASE")
        pids+=("$SERVER_PID")
    done
    SERVER_PID=${pids[0]}
    BASE=${bases[0]}
    local key ids first last before after t0 t1 t2 made=0 failed=0 raw cpu0=0 cpu1=0 pg0=0 pg1=0 pid
    key=$(open_session)
    ids=$(create_customers "$key" 1000)
    read -r first last <<<"$ids"
    before=$(count_orders "$key" '"Status":["COMPLETE"]')
    local c=$((CONNECTIONS / procs))
    [[ $c -ge 1 ]] || c=1
    for pid in "${pids[@]}"; do cpu0=$((cpu0 + $(cpu_ticks "$pid"))); done
    [[ $dblabel == postgres ]] && pg0=$(postgres_ticks)
    t0=$(now_ms)
    local wrk_pids=()
    for ((i = 0; i < procs; i++)); do
        raw=$OUT_DIR/latest-flow-wrk-$dblabel-$i.txt
        log "$dblabel: wrk -t1 -c$c -d$DURATION ${bases[i]}/api/v20/NewOrders_Create (SendOrders)"
        wrk -t1 -c"$c" -d"$DURATION" --latency -s bench/flow_orders.lua "${bases[i]}/api/v20/NewOrders_Create" \
            -- "$key" 1 "$first" "$last" 1000 >"$raw" &
        wrk_pids+=("$!")
    done
    wait "${wrk_pids[@]}"
    t1=$(now_ms)
    for ((i = 0; i < procs; i++)); do
        raw=$OUT_DIR/latest-flow-wrk-$dblabel-$i.txt
        cat "$raw" >&2
        made=$((made + $(field requests "$raw") - $(field failed "$raw")))
        failed=$((failed + $(field failed "$raw")))
    done
    local waited=0
    while [[ $(backlog) != 0 ]]; do
        sleep 0.05
        waited=$((waited + 1))
        [[ $waited -lt 12000 ]] || die "the flow-through queue did not drain within 10 minutes"
    done
    t2=$(now_ms)
    for pid in "${pids[@]}"; do cpu1=$((cpu1 + $(cpu_ticks "$pid"))); done
    [[ $dblabel == postgres ]] && pg1=$(postgres_ticks)
    after=$(count_orders "$key" '"Status":["COMPLETE"]')
    local done_n=$((after - before)) create_rps e2e lag cpu_ms target=$TARGET_FLOW_SQLITE
    [[ $dblabel == postgres ]] && target=$TARGET_FLOW_POSTGRES
    create_rps=$(awk -v n="$made" -v ms="$((t1 - t0))" 'BEGIN { printf "%.0f", n * 1000 / ms }')
    e2e=$(awk -v n="$done_n" -v ms="$((t2 - t0))" 'BEGIN { printf "%.0f", n * 1000 / ms }')
    lag=$(awk -v ms="$((t2 - t1))" 'BEGIN { printf "%.2f", ms / 1000 }')
    cpu_ms=$(awk -v t="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v n="$done_n" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')
    [[ $dblabel == postgres ]] &&
        cpu_ms="$cpu_ms + $(awk -v t="$((pg1 - pg0))" -v hz="$(getconf CLK_TCK)" -v n="$done_n" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')"
    FLOW_ROWS+=("| $dblabel | $procs | $made | $create_rps | $done_n | $lag | $e2e | $cpu_ms | ≥ $target orders/s: $(mark "$e2e" '>=' "$target") |")
    [[ $done_n -eq $made ]] || CHECK_LINES+=("- $dblabel: $made NewOrders_Create answered Success=true and $done_n orders completed (wrk may not count a request cut off at the end)")
    [[ $failed -eq 0 ]] || CHECK_LINES+=("- $dblabel: **$failed answers not Success=true** (see bench/out/latest-flow-wrk-$dblabel-*.txt)")
    log "$dblabel: queue latency, idle (bench/flow_latency.py)"
    local lat p50 p99 max
    lat=$(python3 "$ROOT/bench/flow_latency.py" "$BASE" "$key" "$first" 200 | sed -n 's/^BENCH_FLOW_LATENCY //p')
    [[ -n $lat ]] || die "bench/flow_latency.py printed no result"
    p50=$(sed -n 's/.*"p50_ms": *\([0-9.]*\).*/\1/p' <<<"$lat")
    p99=$(sed -n 's/.*"p99_ms": *\([0-9.]*\).*/\1/p' <<<"$lat")
    max=$(sed -n 's/.*"max_ms": *\([0-9.]*\).*/\1/p' <<<"$lat")
    LATENCY_ROWS+=("| $dblabel | $procs | 200 | $p50 | $p99 | $max | p99 ≤ $TARGET_FLOW_LATENCY_MS ms: $(mark "$p99" '<=' "$TARGET_FLOW_LATENCY_MS") |")
    MEM_ROWS+=("| $dblabel, flow-through, process 1 | $(mem_mib "$SERVER_PID" VmRSS) | $(mem_mib "$SERVER_PID" VmHWM) |")
    stop_extra_servers
    stop_server
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: fresh databases on the server of PG_URL.

pg_split_url() {
    PG_BASE=${PG_URL%%\?*}
    PG_QUERY=""
    [[ $PG_URL == *\?* ]] && PG_QUERY="?${PG_URL#*\?}"
    local rest=${PG_BASE#*://}
    [[ $rest == */* ]] && PG_BASE=${PG_BASE%/*}
    PG_ADMIN_URL="$PG_BASE/postgres$PG_QUERY"
}

# pg_fresh_db: creates a database (dropped by drop_pg_db or at exit); sets PG_FRESH_URL.
pg_fresh_db() {
    drop_pg_db
    PG_DB="patchbay_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    psql "$PG_ADMIN_URL" -XAtq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null ||
        die "could not create database $PG_DB on $PG_BASE"
    PG_FRESH_URL="$PG_BASE/$PG_DB$PG_QUERY"
}

# ---------------------------------------------------------------------------------------------
if [[ $PG_URL == auto ]]; then
    log "bash scripts/pg-test-db.sh"
    PG_URL=$(bash "$ROOT/scripts/pg-test-db.sh" | tail -n1)
    [[ -n $PG_URL ]] || die "scripts/pg-test-db.sh printed no URL"
fi
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
ensure_tools
if [[ $BUILD -eq 1 ]]; then
    log "cargo build --release --bin patchbay"
    cargo build --release --bin patchbay >&2
fi
[[ -x $BIN ]] || die "$BIN is missing: run cargo build --release --bin patchbay"
mkdir -p "$OUT_DIR"
[[ -n $PG_URL ]] && pg_split_url

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
report_head() {
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- commit: $COMMIT (when the run started)"
    echo "- machine: $(nproc) CPUs ($cpu), $mem memory, kernel $(uname -r)"
    echo "- load average before the runs (1/5/15 min): $LOAD_BEFORE (other work on the machine skews the numbers)"
    echo "- tools: $(rustc --version 2>/dev/null || echo 'rustc ?'); $(wrk -v 2>&1 | head -n1 | sed 's/ \[.*//')$([[ -n $PG_URL ]] && echo "; $(psql "$PG_ADMIN_URL" -XAtq -c 'SHOW server_version' 2>/dev/null | sed 's/^/PostgreSQL /')")"
}

if [[ $MODE == products || $MODE == all ]]; then
    rm -f "$OUT_DIR"/latest-wrk-*.txt
    bench_database sqlite "sqlite://$TMP/bench.db"
    if [[ -n $PG_URL ]]; then
        pg_fresh_db
        bench_database postgres "$PG_FRESH_URL"
        drop_pg_db
    fi
    {
        echo "# Patchbay load benchmark"
        echo
        report_head
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
fi

if [[ $MODE == console ]]; then
    MEM_ROWS=()
    bench_console sqlite "sqlite://$TMP/console.db" "sqlite://$TMP/console-demo.db"
    if [[ -n $PG_URL ]]; then
        pg_fresh_db
        demo_db=$PG_FRESH_URL
        demo_name=$PG_DB
        PG_DB=""
        pg_fresh_db
        bench_console postgres "$PG_FRESH_URL" "$demo_db"
        psql "$PG_ADMIN_URL" -XAtq -c "DROP DATABASE IF EXISTS \"$demo_name\" WITH (FORCE)" >/dev/null 2>&1 || true
        drop_pg_db
    fi
    {
        echo "# Patchbay console benchmark"
        echo
        report_head
        echo "- each page requested 200 times, one after another, over one kept-alive connection after signing in as api@acme"
        echo "  (bench/console_pages.py); time from sending the request to the answer's last byte, on loopback"
        echo "- large: $ORDERS orders of $CUSTOMERS customers written by \`patchbay bench-data orders\`; the customer and order"
        echo "  pages show the first customer and the last order"
        echo
        echo "| data | page | p50 ms | p99 ms | target |"
        echo "| --- | --- | ---: | ---: | --- |"
        printf '%s\n' "${CONSOLE_ROWS[@]}"
        echo
        echo "| server | RSS at the end (MiB) | peak RSS (MiB) |"
        echo "| --- | ---: | ---: |"
        printf '%s\n' "${MEM_ROWS[@]}"
    } >"$OUT_DIR/latest-console.md"
    printf '\n'
    cat "$OUT_DIR/latest-console.md"
    printf '\n(written to %s)\n' "${OUT_DIR#"$ROOT"/}/latest-console.md"
fi

if [[ $MODE == flow ]]; then
    rm -f "$OUT_DIR"/latest-flow-wrk-*.txt
    MEM_ROWS=()
    bench_flow sqlite "sqlite://$TMP/flow.db" 1
    if [[ -n $PG_URL ]]; then
        pg_fresh_db
        bench_flow postgres "$PG_FRESH_URL" 3
        drop_pg_db
    fi
    {
        echo "# Patchbay flow-through benchmark"
        echo
        report_head
        echo "- load: wrk --latency on the same machine as the servers (they share the CPUs), $CONNECTIONS connections split over the"
        echo "  server processes, for $DURATION: NewOrders_Create of package 1000 with SendOrders for 1,000 customers in turn,"
        echo "  each answer checked Success=true; the demo's simulated provider at zero delay (bench/flow-settings.toml)"
        echo "- end to end: from the first request until /readyz shows the flow-through queue empty; completed orders are"
        echo "  counted with Orders_Search Status=COMPLETE before and after"
        echo
        echo "| database | processes | created | created/s | completed | drain after load (s) | completed/s end to end | CPU ms/order (+ PostgreSQL's) | target |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        printf '%s\n' "${FLOW_ROWS[@]}"
        echo
        echo "Queue latency on an idle server: NewOrders_Create with SendOrders for the manual provider (package 1001), one at a"
        echo "time 20 ms apart, then Orders_Query every 2 ms until the order is SENT (bench/flow_latency.py)."
        echo
        echo "| database | processes | orders | p50 ms | p99 ms | max ms | target |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
        printf '%s\n' "${LATENCY_ROWS[@]}"
        echo
        printf '%s\n' "${CHECK_LINES[@]}"
        echo
        echo "| server | RSS at the end (MiB) | peak RSS (MiB) |"
        echo "| --- | ---: | ---: |"
        printf '%s\n' "${MEM_ROWS[@]}"
    } >"$OUT_DIR/latest-flow.md"
    printf '\n'
    cat "$OUT_DIR/latest-flow.md"
    printf '\n(written to %s)\n' "${OUT_DIR#"$ROOT"/}/latest-flow.md"
fi

if [[ $MODE == orders || $MODE == all ]]; then
    rm -f "$OUT_DIR"/latest-orders-wrk-*.txt
    MEM_ROWS=()
    [[ $ONLY == queries ]] || bench_new_orders sqlite "sqlite://$TMP/new-orders.db"
    [[ $ONLY == create ]] || bench_order_queries sqlite "sqlite://$TMP/queries.db"
    if [[ -n $PG_URL ]]; then
        if [[ $ONLY != queries ]]; then
            pg_fresh_db
            bench_new_orders postgres "$PG_FRESH_URL"
        fi
        if [[ $ONLY != create ]]; then
            pg_fresh_db
            bench_order_queries postgres "$PG_FRESH_URL"
        fi
        drop_pg_db
    fi
    {
        echo "# Patchbay orders benchmark"
        echo
        report_head
        echo "- load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency on the same machine as the server (they share the CPUs);"
        echo "  every answer is checked for HTTP 200 and Success=true by the Lua script"
        echo "- NewOrders_Create: package 1000 (products 100, 101), AdditionalProducts 103, WirelessICCID of an AVAILABLE SIM"
        echo "  (a new one each request), 1000 customers in turn, Session authenticated; each request makes two orders"
        [[ $ONLY == create ]] || echo "- queries: on $ORDERS orders of $CUSTOMERS customers written by \`patchbay bench-data orders\` (seed 1)"
        [[ -z $ONLY ]] || echo "- phase run alone: --only $ONLY"
        echo
        if [[ $ONLY != create ]]; then
            echo "| data set | written | load time | orders/s | database size |"
            echo "| --- | --- | ---: | ---: | --- |"
            printf '%s\n' "${LOAD_ROWS[@]}"
            echo
        fi
        echo "| scenario | database | req/s | p50 ms | p99 ms | server CPU ms/req (+ PostgreSQL's) | socket errors / non-2xx / failed | target |"
        echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
        printf '%s\n' "${ORDER_ROWS[@]}"
        echo
        printf '%s\n' "${CHECK_LINES[@]}"
        echo
        echo "| server | RSS at the end (MiB) | peak RSS (MiB) |"
        echo "| --- | ---: | ---: |"
        printf '%s\n' "${MEM_ROWS[@]}"
    } >"$OUT_DIR/latest-orders.md"
    printf '\n'
    cat "$OUT_DIR/latest-orders.md"
    printf '\n(written to %s)\n' "${OUT_DIR#"$ROOT"/}/latest-orders.md"
fi
