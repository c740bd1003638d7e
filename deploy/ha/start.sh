#!/usr/bin/env bash
# Start (or resume) the two-centre PostgreSQL formation on loopback, managed by pg_auto_failover:
#   monitor  127.0.0.1:5440   the pg_auto_failover monitor (decides failovers)
#   east     127.0.0.1:5441   first primary ("east centre")
#   west     127.0.0.1:5442   synchronous standby ("west centre")
# as the postgres OS user under $KIBAN_HA_DIR (default /var/tmp/kiban-ha). Idempotent: running it again starts
# only what is not running (a node that was killed rejoins, as a standby if the other node took over), then
# waits until the formation has one primary and one secondary. Prints the multi-host DSN on stdout.
# TEST-ONLY: trust authentication and no TLS on loopback. See deploy/ha/README.md.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/common.sh"

# 1. The tool, from Debian's packages.
if ! command -v pg_autoctl >/dev/null 2>&1 || [ ! -f /usr/share/postgresql/15/extension/pgautofailover.control ]; then
    [ "$(id -u)" -eq 0 ] || die "postgresql-15-auto-failover is not installed and we are not root"
    log "installing postgresql-15-auto-failover"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15-auto-failover >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15-auto-failover >/dev/null; }
fi
[ -x "$KIBAN_HA_PGBIN/pg_ctl" ] || die "no PostgreSQL 15 binaries in $KIBAN_HA_PGBIN"

# 2. Directories owned by postgres.
if [ "$(id -u)" -eq 0 ]; then
    install -d -o postgres -g postgres -m 0700 "$KIBAN_HA_DIR"
fi
as_pg mkdir -p "$KIBAN_HA_DIR/config" "$KIBAN_HA_DIR/share" "$KIBAN_HA_DIR/run" "$KIBAN_HA_DIR/log"

wait_ready() {  # port, seconds
    local i
    for ((i = 0; i < $2 * 2; i++)); do
        "$KIBAN_HA_PGBIN/pg_isready" -q -h "$KIBAN_HA_HOST" -p "$1" && return 0
        sleep 0.5
    done
    return 1
}

run_keeper() {  # node: start its `pg_autoctl run` supervisor in its own session unless it is running
    local node="$1" pid
    if pid="$(keeper_pid "$node")"; then
        log "$node: pg_autoctl already running (pid $pid)"
        return 0
    fi
    pid="$(as_pg bash -c 'setsid pg_autoctl run --pgdata "$1" >>"$2" 2>&1 </dev/null & echo $!' _ \
        "$KIBAN_HA_DIR/$node" "$KIBAN_HA_DIR/log/$node.log")"
    as_pg bash -c 'echo "$1" > "$2"' _ "$pid" "$KIBAN_HA_DIR/run/$node.keeper.pid"
    log "$node: pg_autoctl run started (pid $pid, log $KIBAN_HA_DIR/log/$node.log)"
}

monitor_sql() {
    as_pg "$KIBAN_HA_PGBIN/psql" -XAtq -h "$KIBAN_HA_HOST" -p "$KIBAN_HA_MONITOR_PORT" -U autoctl_node \
        -d pg_auto_failover -c "$1" 2>/dev/null || true
}

node_state() {  # node -> its state as the monitor sees it: reported = assigned, healthy, reported since we started
    monitor_sql "SELECT reportedstate FROM pgautofailover.node WHERE nodename = '$1'
                 AND reportedstate = goalstate AND health = 1 AND reporttime > '$STARTED'::timestamptz"
}

wait_state() {  # seconds, then pairs "node state|state..." ; all must hold at once
    local deadline=$((SECONDS + $1)); shift
    while ((SECONDS < deadline)); do
        local ok=1 pair
        for pair in "$@"; do
            [[ "$(node_state "${pair%% *}")" =~ ^(${pair#* })$ ]] || ok=0
        done
        ((ok)) && return 0
        sleep 1
    done
    return 1
}

# 3. The monitor.
if [ ! -f "$KIBAN_HA_DIR/monitor.created" ]; then
    log "monitor: creating on port $KIBAN_HA_MONITOR_PORT"
    as_pg pg_autoctl create monitor --pgdata "$KIBAN_HA_DIR/monitor" --pgport "$KIBAN_HA_MONITOR_PORT" \
        --hostname "$KIBAN_HA_HOST" --pgctl "$KIBAN_HA_PGBIN/pg_ctl" --auth trust --no-ssl \
        >>"$KIBAN_HA_DIR/log/monitor.create.log" 2>&1 || die "monitor create failed, see $KIBAN_HA_DIR/log/monitor.create.log"
    # `create monitor` has no --listen: keep the monitor on loopback too.
    as_pg pg_autoctl config set --pgdata "$KIBAN_HA_DIR/monitor" postgresql.listen_addresses "$KIBAN_HA_HOST" >/dev/null
    as_pg touch "$KIBAN_HA_DIR/monitor.created"
fi
run_keeper monitor
wait_ready "$KIBAN_HA_MONITOR_PORT" 60 || die "monitor not ready, see $KIBAN_HA_DIR/log/monitor.log"
# the monitor's schema may lag its postmaster by a moment
for _ in $(seq 60); do
    as_pg "$KIBAN_HA_PGBIN/psql" -XAtq -h "$KIBAN_HA_HOST" -p "$KIBAN_HA_MONITOR_PORT" -U autoctl_node \
        -d pg_auto_failover -c "SELECT 1 FROM pgautofailover.formation LIMIT 1" >/dev/null 2>&1 && break
    sleep 0.5
done
# Failover timing on the monitor (see common.sh); ALTER SYSTEM is idempotent and these settings only need a reload.
as_pg "$KIBAN_HA_PGBIN/psql" -XAtq -v ON_ERROR_STOP=1 -h "$KIBAN_HA_HOST" -p "$KIBAN_HA_MONITOR_PORT" -U postgres \
    -d pg_auto_failover >/dev/null <<SQL || die "cannot set the monitor's failover timing"
ALTER SYSTEM SET pgautofailover.health_check_period = $KIBAN_HA_HEALTH_CHECK_MS;
ALTER SYSTEM SET pgautofailover.health_check_timeout = $KIBAN_HA_HEALTH_CHECK_MS;
ALTER SYSTEM SET pgautofailover.health_check_retry_delay = $KIBAN_HA_HEALTH_CHECK_MS;
ALTER SYSTEM SET pgautofailover.health_check_max_retries = 2;
ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = $KIBAN_HA_UNHEALTHY_MS;
ALTER SYSTEM SET pgautofailover.primary_demote_timeout = $KIBAN_HA_DEMOTE_MS;
SELECT pg_reload_conf();
SQL
STARTED="$(monitor_sql "SELECT now()")"
[ -n "$STARTED" ] || die "cannot query the monitor, see $KIBAN_HA_DIR/log/monitor.log"

# 4. The data nodes: east first (it becomes the primary), then west (it clones east and becomes the standby).
create_node() {  # node
    local node="$1" port
    port="$(node_port "$node")"
    [ -f "$KIBAN_HA_DIR/$node.created" ] && return 0
    log "$node: creating on port $port"
    as_pg pg_autoctl create postgres --pgdata "$KIBAN_HA_DIR/$node" --pgport "$port" --pghost "$KIBAN_HA_HOST" \
        --listen "$KIBAN_HA_HOST" --hostname "$KIBAN_HA_HOST" --name "$node" --dbname "$KIBAN_HA_DBNAME" \
        --username postgres --pgctl "$KIBAN_HA_PGBIN/pg_ctl" --monitor "$MONITOR_URI" \
        --auth trust --no-ssl --candidate-priority 50 --replication-quorum true \
        >>"$KIBAN_HA_DIR/log/$node.create.log" 2>&1 || die "$node create failed, see $KIBAN_HA_DIR/log/$node.create.log"
    as_pg touch "$KIBAN_HA_DIR/$node.created"
}

set_keeper_timing() {  # node: the keeper reads its configuration when its `pg_autoctl run` starts
    as_pg pg_autoctl config set --pgdata "$KIBAN_HA_DIR/$1" timeout.network_partition_timeout "$KIBAN_HA_PARTITION_S" >/dev/null
}

create_node east
set_keeper_timing east
run_keeper east
if [ ! -f "$KIBAN_HA_DIR/west.created" ]; then
    wait_state "$KIBAN_HA_TIMEOUT" "east single|primary|wait_primary" \
        || die "east did not become primary, see $KIBAN_HA_DIR/log/east.log"
fi
create_node west
set_keeper_timing west
run_keeper west

# 5. One primary and one secondary (either way round: after a drill west may be the primary).
log "waiting for one primary and one secondary (up to ${KIBAN_HA_TIMEOUT}s)"
wait_state "$KIBAN_HA_TIMEOUT" "east primary|secondary" "west primary|secondary" \
    || { as_pg pg_autoctl show state --pgdata "$KIBAN_HA_DIR/monitor" >&2 || true; die "formation not ready"; }
wait_state 5 "east primary" "west secondary" || wait_state 5 "east secondary" "west primary" \
    || die "formation has no primary/secondary pair"

# 6. Synchronous replication (RPO 0): the primary must list the standby in synchronous_standby_names.
for node in east west; do
    if [ "$(node_state "$node")" = primary ]; then
        sync="$(as_pg "$KIBAN_HA_PGBIN/psql" -XAtq -h "$KIBAN_HA_HOST" -p "$(node_port "$node")" -U postgres -d postgres \
            -c "SHOW synchronous_standby_names")"
        commit="$(as_pg "$KIBAN_HA_PGBIN/psql" -XAtq -h "$KIBAN_HA_HOST" -p "$(node_port "$node")" -U postgres -d postgres \
            -c "SHOW synchronous_commit")"
        [ -n "$sync" ] || die "primary $node has no synchronous standby"
        log "primary: $node; synchronous_standby_names = $sync; synchronous_commit = $commit"
    fi
done
as_pg pg_autoctl show state --pgdata "$KIBAN_HA_DIR/monitor" >&2
echo "$KIBAN_HA_DSN"
