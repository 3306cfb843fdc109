#!/usr/bin/env bash
# Runs the Python client against a tranche server: ./run.sh HOST:PORT
# Needs Debian's python3-grpcio, python3-protobuf and protobuf-compiler (protoc); generates the message
# classes from proto/ into a temporary folder on every run, so they cannot drift from the contract.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 HOST:PORT   (TRANCHE_TOKEN, when set, is sent as a bearer token)" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc -I "$root/proto/src/main/proto" -I /usr/include --python_out="$out" \
  tranche/v1/allocation.proto tranche/v1/queue.proto
/usr/bin/python3 "$here/client.py" "$1" "$out"
