#!/usr/bin/env bash
# Run the command as the redis user (like the official image's gosu step); `-x` or `x.conf` means redis-server.
set -euo pipefail
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ] && [ "$#" -eq 1 ]; then
  # No config at all: listen on every interface like the official image does.
  set -- redis-server --protected-mode no
fi
if [ "$(id -u)" = 0 ]; then
  # A volume mounted on /data may come up owned by root.
  find /data \! -user redis -exec chown redis:redis '{}' + 2>/dev/null || true
  exec setpriv --reuid=redis --regid=redis --init-groups -- "$@"
fi
exec "$@"
