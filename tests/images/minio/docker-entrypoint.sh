#!/usr/bin/env bash
# MinIO's command line (`[minio] server DIR... [--address :9000] [--console-address :9001]`) and root credentials
# (MINIO_ROOT_USER[_FILE], MINIO_ROOT_PASSWORD[_FILE]) in front of moto's S3 server. Other commands run as is.
# moto keeps objects in memory and accepts any signature: DIR is created but not used, the credentials are checked
# for MinIO's rules (user >= 3, password >= 8 characters) and exported as the server's AWS credentials.
set -euo pipefail

if [ "${1:-}" = minio ]; then
  shift
fi
if [ "${1:-}" != server ]; then
  exec "$@"
fi
shift

port=9000
while [ "$#" -gt 0 ]; do
  case "$1" in
    --address) port="${2##*:}"; shift 2 ;;
    --address=*) port="${1##*:}"; shift ;;
    --console-address) shift 2 ;;
    --console-address=*) shift ;;
    -*) shift ;;
    *) mkdir -p "$1"; shift ;;
  esac
done

file_env() {
  local var="$1" file_var="${1}_FILE" default="$2"
  if [ -n "${!file_var:-}" ]; then
    if [ ! -r "${!file_var}" ]; then
      echo >&2 "ERROR: $file_var=${!file_var} is not a readable file"
      exit 1
    fi
    export "$var"="$(< "${!file_var}")"
  elif [ -z "${!var:-}" ]; then
    export "$var"="$default"
  fi
}
file_env MINIO_ROOT_USER minioadmin
file_env MINIO_ROOT_PASSWORD minioadmin
if [ "${#MINIO_ROOT_USER}" -lt 3 ] || [ "${#MINIO_ROOT_PASSWORD}" -lt 8 ]; then
  echo >&2 "ERROR: MINIO_ROOT_USER must be at least 3 and MINIO_ROOT_PASSWORD at least 8 characters"
  exit 1
fi
export AWS_ACCESS_KEY_ID="$MINIO_ROOT_USER" AWS_SECRET_ACCESS_KEY="$MINIO_ROOT_PASSWORD"
export AWS_DEFAULT_REGION="${MINIO_REGION:-us-east-1}"
echo "S3 API (moto) on 0.0.0.0:$port"
exec python -m moto.server --host 0.0.0.0 --port "$port"
