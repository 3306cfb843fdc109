#!/usr/bin/env bash
# Runs a Python client against a tranche server: ./run.sh HOST:PORT [SCRIPT]
# SCRIPT is client.py (the default: the seed scenario as an operator) or claimant.py (a firm's service:
# TRANCHE_TOKEN is its claimant token, TRANCHE_ADMIN_TOKEN the operator's).
# Needs Debian's python3-grpcio, python3-protobuf and protobuf-compiler (protoc); generates the message
# classes from proto/ into a temporary folder on every run, so they cannot drift from the contract.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 HOST:PORT   (TRANCHE_TOKEN, when set, is sent as a bearer token)" >&2
  echo "       $0 HOST:PORT claimant.py   (TRANCHE_TOKEN: a claimant's token; TRANCHE_ADMIN_TOKEN: an admin's)" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
script=${2:-client.py}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc -I "$root/proto/src/main/proto" -I /usr/include --python_out="$out" \
  tranche/v1/allocation.proto tranche/v1/queue.proto
/usr/bin/python3 "$here/$script" "$1" "$out"
