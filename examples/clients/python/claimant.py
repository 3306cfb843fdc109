#!/usr/bin/env python3
"""A firm's service as a claimant: its own claims, a preview, its position, and a watch on its own awards.

Usage: claimant.py HOST:PORT GENERATED_DIR
TRANCHE_TOKEN is the firm's claimant token (claims=alpha-*); TRANCHE_ADMIN_TOKEN is the operator's, used only to
queue a competitor's claim and to release the tranche the firm is watching for. GENERATED_DIR holds the message
classes made by protoc --python_out from proto/ (run.sh makes them).
"""
import os
import queue
import sys
import threading

import grpc

sys.path.insert(0, sys.argv[2])
from tranche.v1 import allocation_pb2, queue_pb2  # noqa: E402

SERVICE = "/tranche.v1.QueueService/"
POLICY = allocation_pb2.Policy(method=allocation_pb2.PROPORTIONAL, lot=8)


def call(channel, method, request, response_class, token):
    stub = channel.unary_unary(SERVICE + method, request_serializer=type(request).SerializeToString,
                               response_deserializer=response_class.FromString)
    return stub(request, timeout=10, metadata=[("authorization", "Bearer " + token)])


def check(condition, what):
    if not condition:
        print("claimant walkthrough: unexpected: " + what, file=sys.stderr)
        sys.exit(1)


def main():
    target = sys.argv[1]
    firm = os.environ["TRANCHE_TOKEN"]
    admin = os.environ["TRANCHE_ADMIN_TOKEN"]
    with grpc.insecure_channel(target) as channel:
        # The operator queues a competitor: the firm must never see it.
        call(channel, "CreateClaim", queue_pb2.CreateClaimRequest(
            claim=allocation_pb2.Claim(id="beta-search", demand=200_000)), allocation_pb2.Claim, admin)

        # 1. The firm queues its own claim.
        mine = call(channel, "CreateClaim", queue_pb2.CreateClaimRequest(
            claim=allocation_pb2.Claim(id="alpha-cloud", demand=300_000)), allocation_pb2.Claim, firm)
        print("created %s: demand %d, created by %s" % (mine.id, mine.demand, mine.created_by))

        # Another firm's claim is out of reach, and the answer does not say whether it exists.
        try:
            call(channel, "GetClaim", queue_pb2.GetClaimRequest(id="beta-search"), allocation_pb2.Claim, firm)
            check(False, "read another firm's claim")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.PERMISSION_DENIED, "GetClaim beta-search: %s" % e.code())
            print("beta-search: %s" % e.code().name)
        listed = call(channel, "ListClaims", queue_pb2.ListClaimsRequest(), queue_pb2.ListClaimsResponse, firm)
        check([c.id for c in listed.claims] == ["alpha-cloud"], "listed %s" % [c.id for c in listed.claims])
        print("its claims: %s" % ", ".join(c.id for c in listed.claims))

        # 2. A preview of a release of 400,000: its own row and the totals.
        preview = call(channel, "ReleaseTranche", queue_pb2.ReleaseTrancheRequest(
            request_id="preview", supply=400_000, policy=POLICY, validate_only=True), queue_pb2.Tranche, firm)
        check([a.id for a in preview.awards] == ["alpha-cloud"], "preview rows %s" % preview.awards)
        print("preview: %d of %d allocated; alpha-cloud would get %d" % (
            preview.allocated, preview.supply, preview.awards[0].units))

        # 3. Its position, and the exact award the same release would give it now.
        position = call(channel, "GetClaimPosition", queue_pb2.GetClaimPositionRequest(
            id="alpha-cloud", if_supply=400_000, policy=POLICY), queue_pb2.ClaimPosition, firm)
        check(position.award.units == preview.awards[0].units, "position award %d" % position.award.units)
        print("position: tier %d, %d claim(s) ahead, %d in its tier; a release of 400,000 would award %d" % (
            position.claim.tier, position.claims_ahead, position.claims_in_tier, position.award.units))

        # 4. Watch its own awards while the operator releases the tranche.
        seen = queue.Queue()
        watch = channel.unary_stream(SERVICE + "WatchTranches",
                                     request_serializer=queue_pb2.WatchTranchesRequest.SerializeToString,
                                     response_deserializer=queue_pb2.Tranche.FromString)
        stream = watch(queue_pb2.WatchTranchesRequest(after_number=0), timeout=30,
                       metadata=[("authorization", "Bearer " + firm)])
        reader = threading.Thread(target=lambda: seen.put(next(stream)), daemon=True)
        reader.start()
        released = call(channel, "ReleaseTranche", queue_pb2.ReleaseTrancheRequest(
            request_id="t1", supply=400_000, policy=POLICY), queue_pb2.Tranche, admin)
        tranche = seen.get(timeout=20)
        stream.cancel()
        check([a.id for a in tranche.awards] == ["alpha-cloud"], "watched rows %s" % tranche.awards)
        check(tranche.awards[0].units == position.award.units, "awarded %d" % tranche.awards[0].units)
        check(len(released.awards) == 2, "the operator sees both firms")
        print("watched tranche %d released by %s: alpha-cloud awarded %d, %d unmet" % (
            tranche.number, tranche.released_by, tranche.awards[0].units, tranche.awards[0].unmet))

        # Who did what to its claim.
        history = call(channel, "GetClaimHistory", queue_pb2.GetClaimHistoryRequest(id="alpha-cloud"),
                       queue_pb2.ClaimHistory, firm)
        for change in history.changes:
            print("history: %s by %s" % (queue_pb2.ClaimChange.Kind.Name(change.kind), change.principal))
        check([queue_pb2.ClaimChange.Kind.Name(c.kind) for c in history.changes] == ["CREATED", "AWARDED"],
              "history %s" % history.changes)
        print("python claimant: ok")
        return 0


if __name__ == "__main__":
    sys.exit(main())
