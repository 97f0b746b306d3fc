#!/usr/bin/env bash
# Start or stop the project's own Redis server on loopback, with a password,
# a memory limit and append-only persistence (glossary edits survive a
# restart). Data lives in var/redis-$REDIS_PORT (REDIS_DIR overrides it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
dir=${REDIS_DIR:-"$PWD/var/redis-$REDIS_PORT"}
# redis-cli reads the password from the environment, not from its arguments.
export REDISCLI_AUTH="$REDIS_PASSWORD"
# PING answers PONG only once Redis has loaded its data; while it loads it
# answers "LOADING ..." (and redis-cli still exits 0), and every other command fails.
ready() { [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
case "${1:-}" in
  start)
    mkdir -p "$dir"
    if ready; then
      echo "redis already answering on 127.0.0.1:$REDIS_PORT"; exit 0
    fi
    if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      # The project's settings plus what is per checkout; written with mode 600
      # because it holds the password (`ps` would show it on a command line).
      (umask 077 && cat > "$dir/redis.conf" <<CONF
include $PWD/scripts/redis.conf
port $REDIS_PORT
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
daemonize yes
requirepass $REDIS_PASSWORD
maxmemory $REDIS_MAXMEMORY
CONF
      )
      # Its data files (dump.rdb, appendonlydir/) are readable by this user only.
      (umask 077 && redis-server "$dir/redis.conf")
    fi
    # A large append-only file takes a while to load: wait for it (up to REDIS_START_TIMEOUT seconds).
    for _ in $(seq $((${REDIS_START_TIMEOUT:-300} * 10))); do ready && break; sleep 0.1; done
    ready || { echo "redis on 127.0.0.1:$REDIS_PORT did not become ready; see $dir/redis.log" >&2; exit 1; }
    echo "redis started on 127.0.0.1:$REDIS_PORT (password in var/secrets/redis-password, data in $dir)"
    ;;
  stop)
    redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    echo "redis on port $REDIS_PORT stopped"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
