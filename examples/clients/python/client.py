#!/usr/bin/env python3
"""tranche from Python: queue the seed scenario's claims, release one tranche, read it back from the ledger.

Usage: client.py HOST:PORT GENERATED_DIR
GENERATED_DIR holds the message classes made by protoc --python_out from proto/ (run.sh makes them).
The service stubs are not generated: each call names its method, as grpcio allows.

Idempotent: a claim that is already queued is kept, and the release carries its own request_id, so a second
run gets the recorded tranche back. Any failure is one line on standard error and exit status 1.
"""
import os
import sys

import grpc

if len(sys.argv) != 3:
    print("usage: client.py HOST:PORT GENERATED_DIR", file=sys.stderr)
    sys.exit(2)
sys.path.insert(0, sys.argv[2])
from tranche.v1 import allocation_pb2, queue_pb2  # noqa: E402

SEED = [  # id, demand, tier, cap: examples/seed.json
    ("alpha-cloud", 300_000, 0, None),
    ("beta-search", 200_000, 0, None),
    ("gamma-social", 150_000, 0, 120_000),
    ("delta-labs", 40_000, 1, None),
    ("epsilon-ai", 25_000, 1, None),
    ("zeta-robotics", 12_000, 1, None),
]
# The same split as './tranche allocate --table examples/seed.json'
EXPECTED = {"alpha-cloud": 184_616, "beta-search": 123_080, "gamma-social": 92_304,
            "delta-labs": 0, "epsilon-ai": 0, "zeta-robotics": 0}
REQUEST_ID = "python-t1"
SERVICE = "/tranche.v1.QueueService/"


class Failed(Exception):
    """A failure already worded for one line."""


# On a cluster member every answer says which log position its state includes; a read sent with the position of
# this client's last write sees that write on any member (a single node sends no position and needs none).
APPLIED = "tranche-applied-position"
MIN_APPLIED = "tranche-min-applied-position"
last_position = [0]


def call(channel, method, request, response_class, metadata):
    stub = channel.unary_unary(SERVICE + method, request_serializer=type(request).SerializeToString,
                               response_deserializer=response_class.FromString)
    sent = list(metadata or [])
    if last_position[0] > 0:
        sent.append((MIN_APPLIED, str(last_position[0])))
    try:
        response, answer = stub.with_call(request, timeout=30, metadata=sent or None)
    except grpc.RpcError as e:
        remember(e.trailing_metadata())
        raise
    remember(answer.initial_metadata())
    return response


def remember(metadata):
    for key, value in metadata or ():
        if key == APPLIED and value.isdigit():
            last_position[0] = max(last_position[0], int(value))


def describe(target, error):
    """One line for a failed call: the status code and what it means here."""
    code = error.code()
    if code == grpc.StatusCode.UNAVAILABLE:
        return "UNAVAILABLE: cannot reach %s (is './tranche serve' running there?)" % target
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return "UNAUTHENTICATED: %s; set TRANCHE_TOKEN" % error.details()
    return "%s: %s" % (code.name, error.details())


def run(channel, metadata):
    created = kept = 0
    for claim_id, demand, tier, cap in SEED:
        claim = allocation_pb2.Claim(id=claim_id, demand=demand, tier=tier)
        if cap is not None:
            claim.cap = cap
        try:
            call(channel, "CreateClaim", queue_pb2.CreateClaimRequest(claim=claim), allocation_pb2.Claim, metadata)
            created += 1
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            kept += 1
    print("created %d claim(s); %d already queued, kept" % (created, kept))

    # A retried request_id returns the recorded tranche and allocates nothing.
    tranche = call(channel, "ReleaseTranche", queue_pb2.ReleaseTrancheRequest(
        request_id=REQUEST_ID, supply=400_000,
        policy=allocation_pb2.Policy(method=allocation_pb2.PROPORTIONAL, lot=8)), queue_pb2.Tranche, metadata)
    print("released tranche %d (request %s): allocated %d of %d" % (
        tranche.number, tranche.request_id, tranche.allocated, tranche.supply))

    recorded = call(channel, "GetTranche", queue_pb2.GetTrancheRequest(number=tranche.number), queue_pb2.Tranche,
                    metadata)
    for award in recorded.awards:
        print("  %-14s %8d" % (award.id, award.units))
    awards = {a.id: a.units for a in recorded.awards}
    if awards != EXPECTED:
        raise Failed("tranche %d is not the seed scenario's split: the queue held other claims or demands "
                     "(run against a fresh --data-dir)" % tranche.number)
    print("python client: ok")


def main():
    target = sys.argv[1]
    token = os.environ.get("TRANCHE_TOKEN")
    metadata = [("authorization", "Bearer " + token)] if token else None
    with grpc.insecure_channel(target) as channel:
        try:
            run(channel, metadata)
            return 0
        except grpc.RpcError as e:
            print("python client: " + describe(target, e), file=sys.stderr)
        except Failed as e:
            print("python client: %s" % e, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
