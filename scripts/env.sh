# Shared defaults for the scripts (sourced, not run). Every value can be
# overridden from the environment; see the README's configuration table.
export REDIS_PORT=${REDIS_PORT:-6399}
export API_PORT=${API_PORT:-8080}
export ARGOS_PACKAGES_DIR=${ARGOS_PACKAGES_DIR:-$PWD/var/argos-packages}
export DEMO_LANGS=${DEMO_LANGS:-de fr es pt}
export REDIS_MAXMEMORY=${REDIS_MAXMEMORY:-1gb}
# glibc gives each thread that allocates its own heap ("arena"), and memory one
# CTranslate2 replica freed is not reused by the other: 2 arenas lowered a
# worker's peak by 3-47 MB (README, "Memory").
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
mkdir -p "$ARGOS_PACKAGES_DIR" var/run var/log
# What the stack writes (logs, Redis's data, metrics) is for the service's user
# and group only: logs name jobs and tenants, Redis holds key hashes and webhook
# secrets. Files 640, folders 750; what an older checkout left readable to
# others is closed here too.
umask 027
chmod -R o= var 2>/dev/null || true

# Secrets are generated once into var/secrets/ (mode 600), never printed and
# never put on a command line; set the variables yourself to use your own.
_newsroom_secret() {
  local file="var/secrets/$1"
  if [ ! -s "$file" ]; then
    (umask 077 && mkdir -p var/secrets && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$file")
  fi
  cat "$file"
}
export REDIS_PASSWORD=${REDIS_PASSWORD:-$(_newsroom_secret redis-password)}
export REDIS_URL=${REDIS_URL:-redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/0}
# `make up HA=1` (docs/ha.md): a replica and three sentinels beside the primary;
# every client finds the primary through the sentinels, and the API answers a
# write only once the replica has it.
if [ "${HA:-0}" != 0 ]; then
  export HA
  export REDIS_REPLICA_PORT=${REDIS_REPLICA_PORT:-$((REDIS_PORT + 1))}
  export REDIS_SENTINEL_PORTS=${REDIS_SENTINEL_PORTS:-"$((REDIS_PORT + 20000)) $((REDIS_PORT + 20001)) $((REDIS_PORT + 20002))"}
  if [ -z "${REDIS_SENTINELS:-}" ]; then
    REDIS_SENTINELS=$(printf '127.0.0.1:%s,' $REDIS_SENTINEL_PORTS)
    export REDIS_SENTINELS=${REDIS_SENTINELS%,}
  fi
  export REDIS_ACK_REPLICAS=${REDIS_ACK_REPLICAS:-1}
fi
export WEBHOOK_SECRET=${WEBHOOK_SECRET:-$(_newsroom_secret webhook-secret)}
export METRICS_TOKEN=${METRICS_TOKEN:-$(_newsroom_secret metrics-token)}
