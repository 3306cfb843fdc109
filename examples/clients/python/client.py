#!/usr/bin/env python3
"""tranche from Python: create the seed scenario's claims, release one tranche, read the ledger.

Usage: client.py HOST:PORT GENERATED_DIR
GENERATED_DIR holds the message classes made by protoc --python_out from proto/ (run.sh makes them).
The service stubs are not generated: each call names its method, as grpcio allows.
"""
import os
import sys

import grpc

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
SERVICE = "/tranche.v1.QueueService/"


def call(channel, method, request, response_class, metadata):
    stub = channel.unary_unary(SERVICE + method, request_serializer=type(request).SerializeToString,
                               response_deserializer=response_class.FromString)
    return stub(request, timeout=10, metadata=metadata)


def main():
    target = sys.argv[1]
    token = os.environ.get("TRANCHE_TOKEN")
    metadata = [("authorization", "Bearer " + token)] if token else None
    with grpc.insecure_channel(target) as channel:
        for claim_id, demand, tier, cap in SEED:
            claim = allocation_pb2.Claim(id=claim_id, demand=demand, tier=tier)
            if cap is not None:
                claim.cap = cap
            call(channel, "CreateClaim", queue_pb2.CreateClaimRequest(claim=claim), allocation_pb2.Claim, metadata)
        tranche = call(channel, "ReleaseTranche", queue_pb2.ReleaseTrancheRequest(
            request_id="python-t1", supply=400_000,
            policy=allocation_pb2.Policy(method=allocation_pb2.PROPORTIONAL, lot=8)), queue_pb2.Tranche, metadata)
        print("released tranche %d: allocated %d of %d" % (tranche.number, tranche.allocated, tranche.supply))

        ledger = call(channel, "ListTranches", queue_pb2.ListTranchesRequest(), queue_pb2.ListTranchesResponse,
                      metadata)
        for t in ledger.tranches:
            print("ledger: tranche %d (request %s)" % (t.number, t.request_id))
            for award in t.awards:
                print("  %-14s %8d" % (award.id, award.units))
        awards = {a.id: a.units for a in ledger.tranches[0].awards}
        # The same split as './tranche allocate --table examples/seed.json'
        expected = {"alpha-cloud": 184_616, "beta-search": 123_080, "gamma-social": 92_304,
                    "delta-labs": 0, "epsilon-ai": 0, "zeta-robotics": 0}
        if len(ledger.tranches) != 1 or awards != expected:
            print("unexpected ledger: %s" % awards, file=sys.stderr)
            return 1
        print("python client: ok")
        return 0


if __name__ == "__main__":
    sys.exit(main())
