# Shared settings for deploy/ha/*.sh (sourced, not run). Everything can be overridden from the environment.
# TEST-ONLY: every node trusts loopback connections without a password (--auth trust, --no-ssl).
KIBAN_HA_DIR="${KIBAN_HA_DIR:-/var/tmp/kiban-ha}"
KIBAN_HA_PGBIN="${KIBAN_HA_PGBIN:-/usr/lib/postgresql/15/bin}"
KIBAN_HA_HOST="${KIBAN_HA_HOST:-127.0.0.1}"
KIBAN_HA_MONITOR_PORT="${KIBAN_HA_MONITOR_PORT:-5440}"
KIBAN_HA_EAST_PORT="${KIBAN_HA_EAST_PORT:-5441}"
KIBAN_HA_WEST_PORT="${KIBAN_HA_WEST_PORT:-5442}"
KIBAN_HA_DBNAME="${KIBAN_HA_DBNAME:-kiban}"
KIBAN_HA_TIMEOUT="${KIBAN_HA_TIMEOUT:-180}"  # seconds to wait for the formation to be primary + secondary
# Failover timing (pg_auto_failover's defaults give an RTO near 60 s: 20 s to call a node unhealthy, then a
# 30 s demote timeout). Safety needs network_partition_timeout (a cut-off primary's keeper demotes it) to stay
# below primary_demote_timeout (after which the monitor promotes the standby without the old primary's word).
KIBAN_HA_HEALTH_CHECK_MS="${KIBAN_HA_HEALTH_CHECK_MS:-1000}"      # monitor: health check period and timeout
KIBAN_HA_UNHEALTHY_MS="${KIBAN_HA_UNHEALTHY_MS:-5000}"            # monitor: node_considered_unhealthy_timeout
KIBAN_HA_DEMOTE_MS="${KIBAN_HA_DEMOTE_MS:-8000}"                  # monitor: primary_demote_timeout
KIBAN_HA_PARTITION_S="${KIBAN_HA_PARTITION_S:-5}"                 # keepers: network_partition_timeout

MONITOR_URI="postgres://autoctl_node@${KIBAN_HA_HOST}:${KIBAN_HA_MONITOR_PORT}/pg_auto_failover?sslmode=disable"
KIBAN_HA_DSN="postgres://postgres@${KIBAN_HA_HOST}:${KIBAN_HA_EAST_PORT},${KIBAN_HA_HOST}:${KIBAN_HA_WEST_PORT}/${KIBAN_HA_DBNAME}?target_session_attrs=read-write"

log() { printf '[kiban-ha] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Run a command as the postgres OS user, with a fixed environment so pg_autoctl always finds the same
# configuration (it keeps it under $XDG_CONFIG_HOME/pg_autoctl/<pgdata>) whoever calls the script.
as_pg() {
    local env=(HOME="$KIBAN_HA_DIR" XDG_CONFIG_HOME="$KIBAN_HA_DIR/config" XDG_DATA_HOME="$KIBAN_HA_DIR/share"
        XDG_RUNTIME_DIR="$KIBAN_HA_DIR/run" PATH="$KIBAN_HA_PGBIN:/usr/bin:/bin" PG_CONFIG="$KIBAN_HA_PGBIN/pg_config"
        LC_ALL=C.UTF-8)
    local unset=(-u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGPASSWORD -u PGDATA -u PGSERVICE -u PGOPTIONS)
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- env "${unset[@]}" "${env[@]}" "$@"
    elif [ "$(id -un)" = postgres ]; then
        env "${unset[@]}" "${env[@]}" "$@"
    else
        die "run as root or as the postgres user"
    fi
}

node_port() {
    case "$1" in
        monitor) echo "$KIBAN_HA_MONITOR_PORT" ;;
        east) echo "$KIBAN_HA_EAST_PORT" ;;
        west) echo "$KIBAN_HA_WEST_PORT" ;;
        *) die "unknown node $1" ;;
    esac
}

# The pid of the `pg_autoctl run` supervisor this script started for a node, if it is still alive.
keeper_pid() {
    local pidfile="$KIBAN_HA_DIR/run/$1.keeper.pid" pid
    [ -f "$pidfile" ] || return 1
    pid="$(cat "$pidfile")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa pg_autoctl "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

# The postmaster's pid from postmaster.pid, if that process is alive.
postmaster_pid() {
    local pidfile="$KIBAN_HA_DIR/$1/postmaster.pid" pid
    [ -f "$pidfile" ] || return 1
    pid="$(head -n1 "$pidfile")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}
