# Sourced by the scripts beside it: makes sure a Docker engine answers.
# ensure_engine [keep]: installs Debian's docker.io when no dockerd exists, starts dockerd when none
# answers, and (unless "keep") stops the one it started when the calling script exits.
ensure_engine() {
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "the Docker engine at DOCKER_HOST=$DOCKER_HOST does not answer" >&2
    return 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "installing Debian's docker.io (no Docker engine on this machine)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  local log=/var/log/koji-farm-dockerd.log
  echo "starting dockerd (log: $log)"
  dockerd >"$log" 2>&1 &
  KOJI_FARM_DOCKERD_PID=$!
  if [ "${1:-}" != keep ]; then
    trap 'stop_engine' EXIT
  fi
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "dockerd did not answer within 60 s; last lines of $log:" >&2
  tail -20 "$log" >&2
  return 1
}

stop_engine() {
  if [ -n "${KOJI_FARM_DOCKERD_PID:-}" ] && kill -0 "$KOJI_FARM_DOCKERD_PID" 2>/dev/null; then
    echo "stopping the dockerd this run started"
    kill "$KOJI_FARM_DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$KOJI_FARM_DOCKERD_PID" 2>/dev/null || return 0; sleep 1; done
    kill -9 "$KOJI_FARM_DOCKERD_PID" 2>/dev/null || true
  fi
}
