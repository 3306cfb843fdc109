#!/usr/bin/env bash
# Runs the Node client against a tranche server: ./run.sh HOST:PORT
# Installs @grpc/grpc-js and @grpc/proto-loader from the npm registry once (package-lock.json pins them).
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 HOST:PORT   (TRANCHE_TOKEN, when set, is sent as a bearer token)" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ ! -d "$here/node_modules/@grpc/grpc-js" ] || [ ! -d "$here/node_modules/@grpc/proto-loader" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
node "$here/client.js" "$1"
