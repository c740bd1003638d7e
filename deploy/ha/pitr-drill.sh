#!/usr/bin/env bash
# Point-in-time recovery drill: base backup + archived WAL, restored to a target time into a new data directory.
#
#   1. a throwaway PostgreSQL 15 (initdb) on 127.0.0.1:$PITR_PORT, archiving WAL into $WORK/archive
#      (archive_command), as a production primary would into its WAL archive;
#   2. a base backup with pg_basebackup;
#   3. a row "before", then the target time T, then a row "after", then a WAL switch so both are archived;
#   4. the base backup copied to a new data directory, recovery.signal + restore_command + recovery_target_time=T,
#      started on 127.0.0.1:$PITR_RESTORE_PORT and promoted at the target;
#   5. check: "before" is there, "after" is not.
# Exits non-zero if any step or the check fails. Cleans up unless PITR_KEEP=1. TEST-ONLY: trust auth on loopback.
set -euo pipefail
PGBIN="${KIBAN_HA_PGBIN:-/usr/lib/postgresql/15/bin}"
PITR_PORT="${PITR_PORT:-5450}"
PITR_RESTORE_PORT="${PITR_RESTORE_PORT:-5451}"
WORK="$(mktemp -d /tmp/kiban-pitr.XXXXXX)"
log() { printf '[pitr] %s\n' "$*" >&2; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- env -u PGHOST -u PGPORT -u PGDATA "$@"; else "$@"; fi
}
psql_at() {  # port, sql
    as_pg "$PGBIN/psql" -XAtq -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}
cleanup() {
    for d in restore primary; do
        [ -f "$WORK/$d/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/$d" -m immediate -w stop >/dev/null 2>&1 || true
    done
    if [ "${PITR_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

for port in "$PITR_PORT" "$PITR_RESTORE_PORT"; do
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then log "port $port is in use"; exit 1; fi
done
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK"
as_pg mkdir "$WORK/archive"

# 1. The primary, archiving its WAL.
log "initdb and start the primary on port $PITR_PORT"
as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust >/dev/null
cat >>"$WORK/primary/postgresql.conf" <<CONF
port = $PITR_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f'
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w -t 60 start >/dev/null
psql_at "$PITR_PORT" "CREATE TABLE drill (note text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp())"

# 2. The base backup (a checkpoint, then a copy of the data directory with the WAL needed to make it consistent).
log "pg_basebackup"
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PITR_PORT" -U postgres -D "$WORK/base" -c fast -X stream

# 3. Before, target, after.
psql_at "$PITR_PORT" "INSERT INTO drill (note) VALUES ('before')"
sleep 1
TARGET="$(psql_at "$PITR_PORT" "SELECT clock_timestamp()")"
sleep 1
psql_at "$PITR_PORT" "INSERT INTO drill (note) VALUES ('after')"
WAL="$(psql_at "$PITR_PORT" "SELECT pg_walfile_name(pg_switch_wal())")"
for _ in $(seq 120); do
    [ -f "$WORK/archive/$WAL" ] && break
    sleep 0.5
done
[ -f "$WORK/archive/$WAL" ] || { log "WAL $WAL was not archived"; exit 1; }
log "target time $TARGET; WAL archived up to $WAL"
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -m fast -w stop >/dev/null  # the primary is "lost"

# 4. Restore: the base backup into a new data directory, replay archived WAL up to the target, then promote.
as_pg cp -a "$WORK/base" "$WORK/restore"
cat >>"$WORK/restore/postgresql.conf" <<CONF
port = $PITR_RESTORE_PORT
archive_mode = off
restore_command = 'cp $WORK/archive/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
CONF
as_pg touch "$WORK/restore/recovery.signal"
log "restore to $TARGET on port $PITR_RESTORE_PORT"
as_pg "$PGBIN/pg_ctl" -D "$WORK/restore" -l "$WORK/restore.log" -w -t 120 start >/dev/null
for _ in $(seq 120); do
    [ "$(psql_at "$PITR_RESTORE_PORT" "SELECT pg_is_in_recovery()")" = f ] && break
    sleep 0.5
done
[ "$(psql_at "$PITR_RESTORE_PORT" "SELECT pg_is_in_recovery()")" = f ] || { log "restore did not finish"; exit 1; }

# 5. The check.
ROWS="$(psql_at "$PITR_RESTORE_PORT" "SELECT string_agg(note, ',' ORDER BY note) FROM drill")"
grep -q "recovery stopping before commit" "$WORK/restore.log" && grep "recovery stopping before commit" "$WORK/restore.log" | sed 's/^/[pitr] /' >&2
if [ "$ROWS" = before ]; then
    echo "PITR OK: restored to $TARGET; row written before the target present, row written after absent"
else
    echo "PITR FAILED: expected only 'before', found '${ROWS}'"
    exit 1
fi
