#!/usr/bin/env python3
"""Recomputes the tranche digest chain from `./tranche tranches --json` output, independently of the Java code.

Usage: ./tranche tranches --json --server ADDR | scripts/tranche_digest.py
Prints one line per tranche: number, the recomputed digest, and whether it matches the recorded one.
The canonical encoding is README "Audit: the digest chain".
"""
import base64
import calendar
import hashlib
import json
import struct
import sys

METHODS = {"METHOD_UNSPECIFIED": 0, "PROPORTIONAL": 1, "EQUAL": 2, "EQUAL_LOSSES": 3, "TALMUD": 4, "FIFO": 5,
           "DHONDT": 6, "SAINTE_LAGUE": 7, "ADAMS": 8, "DEAN": 9, "HUNTINGTON_HILL": 10}


def string(s):
    b = s.encode("utf-8")
    return struct.pack(">I", len(b)) + b


def timestamp(text):
    # proto3 JSON: RFC 3339, "Z", 0, 3, 6 or 9 fractional digits.
    if not text:
        return 0, 0
    body = text.rstrip("Z")
    whole, _, frac = body.partition(".")
    seconds = calendar.timegm((int(whole[0:4]), int(whole[5:7]), int(whole[8:10]),
                               int(whole[11:13]), int(whole[14:16]), int(whole[17:19])))
    return seconds, int((frac + "000000000")[:9]) if frac else 0


def canonical(t):
    policy = t.get("policy", {})
    out = bytes([1])
    out += struct.pack(">q", int(t.get("number", 0)))
    out += string(t.get("requestId", ""))
    out += struct.pack(">q", int(t.get("supply", 0)))
    out += struct.pack(">i", METHODS[policy.get("method", "METHOD_UNSPECIFIED")])
    out += struct.pack(">q", int(policy.get("lot", 0)))
    out += struct.pack(">i", int(policy.get("maxSharePpm", 0)))
    awards = t.get("awards", [])
    out += struct.pack(">I", len(awards))
    for a in awards:
        out += string(a.get("id", ""))
        out += bytes([1 if "tier" in a else 0]) + struct.pack(">i", int(a.get("tier", 0)))
        out += struct.pack(">q", int(a.get("units", 0)))
        has = "unmet" in a
        out += bytes([1 if has else 0]) + struct.pack(">q", int(a["unmet"]) if has else 0)
    out += struct.pack(">q", int(t.get("allocated", 0)))
    out += struct.pack(">q", int(t.get("unallocated", 0)))
    seconds, nanos = timestamp(t.get("releaseTime", ""))
    out += struct.pack(">q", seconds) + struct.pack(">i", nanos)
    return out


def main():
    doc = json.load(sys.stdin)
    previous = bytes(32)
    ok = True
    for t in doc.get("tranches", [doc] if "number" in doc else []):
        digest = hashlib.sha256(previous + canonical(t)).digest()
        recorded = base64.b64decode(t.get("digest", ""))
        match = digest == recorded
        ok &= match
        print(t.get("number"), digest.hex(), "ok" if match else "MISMATCH (recorded " + recorded.hex() + ")")
        previous = recorded if recorded else digest
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
