#!/bin/sh
# The edimesh image's entrypoint: turn mounted secrets into what edimesh reads, then
# `exec edimesh "$@"`, so that the service itself is PID 1 and receives SIGTERM (graceful drain).
#
# 1. NAME_SECRET_FILE=/path exports NAME with the file's content, for the settings that are
#    read from the environment (EDIMESH_MASKING_KEY). Compose
#    mounts secrets as files; Kubernetes can use secretKeyRef and skip this.
# 2. EDIMESH_PRIVATE_KEYS_SOURCE=DIR copies every file of DIR into EDIMESH_PRIVATE_KEYS_DIR with
#    mode 0600, owned by this user. The transfer service refuses a private key that group or
#    others can read, and neither a compose secret (host file mode) nor a Kubernetes Secret
#    volume with fsGroup (kubelet adds 0440) can promise that. The target is a tmpfs/emptyDir.
set -eu

for pointer in $(env | sed -n 's/^\(EDIMESH_[A-Z0-9_]*\)_SECRET_FILE=.*/\1/p'); do
  path=$(printenv "${pointer}_SECRET_FILE")
  [ -r "$path" ] || { echo "edimesh-entrypoint: ${pointer}_SECRET_FILE: cannot read $path" >&2; exit 64; }
  value=$(cat "$path")
  export "$pointer=$value"
  unset "${pointer}_SECRET_FILE"
done

if [ -n "${EDIMESH_PRIVATE_KEYS_SOURCE:-}" ]; then
  target=${EDIMESH_PRIVATE_KEYS_DIR:-/run/edimesh/keys}
  umask 077
  mkdir -p "$target"
  copied=0
  for key in "$EDIMESH_PRIVATE_KEYS_SOURCE"/*; do
    [ -f "$key" ] || continue          # skips Kubernetes' ..data links and sub-directories
    cp "$key" "$target/${key##*/}"
    chmod 0600 "$target/${key##*/}"
    copied=$((copied + 1))
  done
  [ "$copied" -gt 0 ] || { echo "edimesh-entrypoint: no key in $EDIMESH_PRIVATE_KEYS_SOURCE" >&2; exit 64; }
fi

exec edimesh "$@"
