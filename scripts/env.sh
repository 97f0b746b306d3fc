# Shared defaults for the scripts (sourced, not run). Every value can be
# overridden from the environment; see the README's configuration table.
export REDIS_PORT=${REDIS_PORT:-6399}
export API_PORT=${API_PORT:-8080}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
export ARGOS_PACKAGES_DIR=${ARGOS_PACKAGES_DIR:-$PWD/var/argos-packages}
export DEMO_LANGS=${DEMO_LANGS:-de fr es pt}
mkdir -p "$ARGOS_PACKAGES_DIR" var/run var/log
