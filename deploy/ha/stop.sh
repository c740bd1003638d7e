#!/usr/bin/env bash
# Stop the formation started by start.sh: the monitor first (so that stopping the nodes one after the other is
# not taken for a failure and answered with a failover on the next start), then west, then east. With --purge, also delete
# $KIBAN_HA_DIR (data, configuration, logs), so the next start.sh builds a fresh formation.
# Idempotent: stopping what is not running is not an error.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/common.sh"

purge=0
case "${1:-}" in
    --purge) purge=1 ;;
    "") ;;
    *) die "usage: $0 [--purge]" ;;
esac

stop_node() {  # node: ask pg_autoctl to stop (it stops Postgres too), then make sure, with signals if needed
    local node="$1" pid pm i
    [ -d "$KIBAN_HA_DIR/$node" ] || return 0
    if pid="$(keeper_pid "$node")"; then
        log "$node: stopping pg_autoctl (pid $pid)"
        as_pg pg_autoctl stop --pgdata "$KIBAN_HA_DIR/$node" >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        if kill -0 "$pid" 2>/dev/null; then
            log "$node: pg_autoctl did not stop, killing its process group"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    if pm="$(postmaster_pid "$node")"; then
        log "$node: stopping postgres (pid $pm)"
        as_pg "$KIBAN_HA_PGBIN/pg_ctl" -D "$KIBAN_HA_DIR/$node" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || kill -KILL "$pm" 2>/dev/null || true
    fi
    rm -f "$KIBAN_HA_DIR/run/$node.keeper.pid"
}

if [ -d "$KIBAN_HA_DIR" ]; then
    for node in monitor west east; do stop_node "$node"; done
fi
if ((purge)); then
    case "$KIBAN_HA_DIR" in
        /var/tmp/?* | /tmp/?*) rm -rf "$KIBAN_HA_DIR"; log "purged $KIBAN_HA_DIR" ;;
        *) die "refusing to purge $KIBAN_HA_DIR (only directories under /tmp or /var/tmp)" ;;
    esac
fi
log "stopped"
