#!/usr/bin/env python3
"""An independent verifier of tranche's ledger: signed checkpoints, inclusion and consistency proofs, award proofs.

Written from the specifications, not from the Java code, with the Python standard library only:
  - RFC 9162 section 2.1 (the Merkle tree hash, and the verification of inclusion and consistency proofs),
  - c2sp.org/signed-note and c2sp.org/tlog-checkpoint (the checkpoint note and its signature lines),
  - RFC 8032 (Ed25519 verification, after its reference code in section 6),
  - docs/SEMANTICS.md "The verifiable ledger" (the leaves: protobuf encodings of the recorded changes).

Usage:
  ./tranche ledger --server ADDR --awards | scripts/tranche_ledger.py verify [--key VERIFIER_KEY]
  scripts/tranche_ledger.py self-test
`verify` reads the JSON document `tranche ledger` prints (tranche.v1.LedgerProofs in proto3 JSON) and checks every
signature and proof in it; without --key it
trusts the verifier key the document carries (say so, and compare it with `tranche key --data-dir` on the server).
Exit status: 0 verified, 1 something does not verify (the first failure on standard error), 2 bad input.
"""
import base64
import hashlib
import json
import sys

# ---------------------------------------------------------------- Ed25519 verification (RFC 8032, section 6)

P = 2 ** 255 - 19
Q = 2 ** 252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return e * f, g * h, f * g, e * h


def _mul(s, point):
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
BASE = (_GX, _GY, 1, _GX * _GY % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    return _equal(_mul(s, BASE), _add(r, _mul(h, a)))


# ---------------------------------------------------------------- signed notes and checkpoints

class Failure(Exception):
    pass


def key_id(name, public):
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + public).digest()[:4]


def parse_verifier_key(text):
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise Failure("a verifier key is name+hash+key")
    name, hash_hex, key_b64 = parts
    raw = base64.b64decode(key_b64, validate=True)
    if len(raw) != 33 or raw[0] != 1:
        raise Failure("the verifier key is not 0x01 and a 32-byte Ed25519 key")
    public = raw[1:]
    if key_id(name, public).hex() != hash_hex.lower():
        raise Failure("the verifier key's hash %s is not its key's id %s" % (hash_hex, key_id(name, public).hex()))
    return name, public


def open_note(note, key):
    """Checks a signed note with one trusted key; returns its text."""
    name, public = key
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise Failure("the note holds a control character")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise Failure("the note has no blank line before its signatures")
    text = note[:split + 1]
    wanted = key_id(name, public)
    for line in note[split + 2:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise Failure("a signature line does not start with an em dash: %r" % line)
        signer, _, sig_b64 = line[2:].partition(" ")
        sig = base64.b64decode(sig_b64, validate=True)
        if signer == name and sig[:4] == wanted:
            if not ed25519_verify(public, text.encode("utf-8"), sig[4:]):
                raise Failure("the signature of %s+%s does not verify" % (name, wanted.hex()))
            return text
    raise Failure("the note is not signed by %s+%s" % (name, wanted.hex()))


def parse_checkpoint(text, origin):
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise Failure("a checkpoint has an origin, a size and a root line")
    if lines[0] != origin:
        raise Failure("the checkpoint is of origin %s, not %s" % (lines[0], origin))
    if not lines[1].isdigit() or (len(lines[1]) > 1 and lines[1][0] == "0"):
        raise Failure("the checkpoint's size line is not a decimal number")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise Failure("the checkpoint's root is not 32 bytes")
    return int(lines[1]), root


# ---------------------------------------------------------------- RFC 9162 section 2.1

def leaf_hash(leaf):
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes):
    """The Merkle tree hash over leaf hashes (2.1.1)."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def verify_inclusion(index, size, leaf_h, path, root):
    """2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_h
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """2.1.4.2, with its trivial cases: equal sizes (an empty proof, equal roots) and the empty tree."""
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# ---------------------------------------------------------------- protobuf, as much as the leaves need

def _varint(data, at):
    shift = value = 0
    while True:
        b = data[at]
        at += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, at


def fields(data):
    """field number -> list of values (ints for varints, bytes for length-delimited)."""
    out, at = {}, 0
    while at < len(data):
        tag, at = _varint(data, at)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            length, at = _varint(data, at)
            value, at = data[at:at + length], at + length
        elif wire == 1:
            value, at = data[at:at + 8], at + 8
        elif wire == 5:
            value, at = data[at:at + 4], at + 4
        else:
            raise Failure("unsupported wire type %d" % wire)
        out.setdefault(number, []).append(value)
    return out


def _first(f, number, default):
    return f.get(number, [default])[0]


def enc_varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def enc(number, value):
    """One field: an int (varint) or bytes/str (length-delimited)."""
    if isinstance(value, int):
        return enc_varint(number << 3) + enc_varint(value)
    if isinstance(value, str):
        value = value.encode("utf-8")
    return enc_varint(number << 3 | 2) + enc_varint(len(value)) + value


# ---------------------------------------------------------------- the document `tranche ledger` prints

def b64(text):
    return base64.b64decode(text or "", validate=True)


class Verifier:
    def __init__(self, key):
        self.key = key
        self.checked = {}

    def checkpoint(self, cp):
        note = cp.get("note", "")
        if note not in self.checked:
            self.checked[note] = parse_checkpoint(open_note(note, self.key), self.key[0])
        return self.checked[note]

    def inclusion(self, proof):
        size, root = self.checkpoint(proof.get("checkpoint", {}))
        index = int(proof.get("leafIndex", 0))
        if int(proof.get("treeSize", 0)) != size:
            raise Failure("the proof is for size %s, its checkpoint's is %d" % (proof.get("treeSize"), size))
        path = [b64(h) for h in proof.get("auditPath", [])]
        if not verify_inclusion(index, size, leaf_hash(b64(proof.get("leaf"))), path, root):
            raise Failure("leaf %d and its audit path do not lead to the root at size %d" % (index, size))
        return index, size

    def consistency(self, item):
        first, first_root = self.checkpoint(item["from"])
        proof = item["proof"]
        second, second_root = self.checkpoint(proof.get("checkpoint", {}))
        if int(proof.get("fromSize", 0)) != first or int(proof.get("toSize", 0)) != second:
            raise Failure("the proof's sizes are not its checkpoints'")
        if not verify_consistency(first, second, first_root, second_root, [b64(h) for h in proof.get("path", [])]):
            raise Failure("no consistency from size %d to size %d" % (first, second))

    def award(self, item):
        proof = item["proof"]
        self.inclusion(proof)
        leaf = fields(b64(proof.get("leaf")))
        if 1 not in leaf:
            raise Failure("the leaf is not a tranche")
        tranche_leaf = fields(leaf[1][0])
        tranche = fields(_first(tranche_leaf, 1, b""))
        if _first(tranche, 1, 0) != int(item["tranche"]):
            raise Failure("the leaf is tranche %d, not %s" % (_first(tranche, 1, 0), item["tranche"]))
        award_proof = proof.get("award", {})
        award_leaf = b64(award_proof.get("awardLeaf"))
        award = fields(award_leaf)
        if _first(award, 1, b"").decode("utf-8") != item["claimId"]:
            raise Failure("the award is not claim %s's" % item["claimId"])
        count = _first(tranche_leaf, 2, 0)
        if int(award_proof.get("awardCount", 0)) != count:
            raise Failure("the proof counts %s awards, the tranche's leaf %d" % (award_proof.get("awardCount"), count))
        if not verify_inclusion(int(award_proof.get("awardIndex", 0)), count, leaf_hash(award_leaf),
                                [b64(h) for h in award_proof.get("auditPath", [])], _first(tranche_leaf, 3, b"")):
            raise Failure("the award's audit path does not lead to the tranche's award root")


def verify(document, key_text):
    trusted = key_text is None
    key = parse_verifier_key(key_text if key_text else document["checkpoint"]["verifierKey"])
    v = Verifier(key)
    v.checkpoint(document["checkpoint"])
    counts = {}
    for kind, check in (("inclusion", v.inclusion), ("consistency", v.consistency), ("awards", v.award)):
        for i, item in enumerate(document.get(kind, [])):
            try:
                check(item)
            except (Failure, KeyError, ValueError, UnicodeDecodeError) as ex:
                raise Failure("%s proof %d: %s" % (kind, i, ex))
        counts[kind] = len(document.get(kind, []))
    print("verified %d signed checkpoint(s), %d inclusion proof(s), %d consistency proof(s) and %d award proof(s) "
          "with the key %s+%s%s" % (len(v.checked), counts["inclusion"], counts["consistency"], counts["awards"],
                                   key[0], key_id(*key).hex(),
                                   " (the document's own: trusted on first use)" if trusted else ""))


# ---------------------------------------------------------------- self-test: published and documented vectors

RFC6962_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
# (leaf index, tree size, path) and (size1, size2, path), as Certificate Transparency's implementations publish them.
RFC6962_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"])]
RFC6962_CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"])]
# golang.org/x/mod/sumdb/note's published verifier key and signed note.
GO_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = ("If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n"
           "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def ledger_vectors():
    """The leaves of docs/SEMANTICS.md "Test vectors", encoded here field by field."""
    seed = bytes(range(32))
    block = hashlib.sha512(seed + (0).to_bytes(8, "big")).digest()  # awards 0 to 3: its four 16-byte quarters
    salts = [block[16 * i:16 * i + 16] for i in range(2)]
    claim = enc(1, "alpha-cloud") + enc(2, 300000) + enc(7, 1)
    claim_leaf = enc(2, enc(1, 1) + enc(2, claim) + enc(3, enc(1, 1796011200)))
    named_leaf = enc(2, enc(1, 1) + enc(2, claim) + enc(3, enc(1, 1796011200)) + enc(4, "ops"))
    awards = [enc(1, "alpha-cloud") + enc(2, 184616) + enc(3, 115384) + enc(5, 0) + enc(6, salts[0]),
              enc(1, "beta-search") + enc(2, 215384) + enc(3, 0) + enc(5, 1) + enc(6, salts[1])]
    awards_root = mth([leaf_hash(a) for a in awards])
    tranche = (enc(1, 1) + enc(2, "r-1") + enc(3, 400000) + enc(4, enc(1, 1) + enc(2, 8)) + enc(6, 400000) +
               enc(8, enc(1, 1796011200)))
    tranche_leaf = enc(1, enc(1, tranche) + enc(2, 2) + enc(3, awards_root))
    return salts, claim_leaf, named_leaf, awards, awards_root, tranche_leaf


def self_test():
    hashes = [leaf_hash(bytes.fromhex(h)) for h in RFC6962_LEAVES]
    assert mth([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for n in range(1, 9):
        assert mth(hashes[:n]).hex() == RFC6962_ROOTS[n - 1], n
    for index, size, path in RFC6962_INCLUSION:
        path = [bytes.fromhex(h) for h in path]
        root = bytes.fromhex(RFC6962_ROOTS[size - 1])
        assert verify_inclusion(index, size, hashes[index], path, root)
        assert not verify_inclusion(index ^ 1, size, hashes[index], path, root)
        assert not verify_inclusion(index, size, hashes[index], path[:-1], root)
    for first, second, path in RFC6962_CONSISTENCY:
        path = [bytes.fromhex(h) for h in path]
        r1, r2 = bytes.fromhex(RFC6962_ROOTS[first - 1]), bytes.fromhex(RFC6962_ROOTS[second - 1])
        assert verify_consistency(first, second, r1, r2, path)
        assert not verify_consistency(first, second, r2, r1, path)
        assert not verify_consistency(first, second, r1, r2, path[:-1])
    key = parse_verifier_key(GO_KEY)
    assert open_note(GO_NOTE, key).startswith("If you think")
    for forged in (GO_NOTE.replace("ZJkuBS", "ZJkvBS"), GO_NOTE.replace("answer", "answers")):
        try:
            open_note(forged, key)
            raise AssertionError("a forged note verified")
        except Failure:
            pass
    salts, claim_leaf, named_leaf, awards, awards_root, tranche_leaf = ledger_vectors()
    print("salt 0 %s\nsalt 1 %s" % (salts[0].hex(), salts[1].hex()))
    print("claim leaf %s\nclaim leaf hash %s" % (claim_leaf.hex(), leaf_hash(claim_leaf).hex()))
    print("named claim leaf %s\nnamed claim leaf hash %s" % (named_leaf.hex(), leaf_hash(named_leaf).hex()))
    for i, a in enumerate(awards):
        print("award leaf %d %s" % (i, a.hex()))
    print("awards root %s\ntranche leaf %s\ntranche leaf hash %s" %
          (awards_root.hex(), tranche_leaf.hex(), leaf_hash(tranche_leaf).hex()))
    print("self-test: RFC 6962 roots, inclusion and consistency vectors, Go's signed note: ok")


def main(argv):
    if len(argv) >= 1 and argv[0] == "self-test":
        self_test()
        return 0
    if not argv or argv[0] != "verify" or len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] != "--key"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        document = json.load(sys.stdin)
    except ValueError as ex:
        print("tranche_ledger.py: standard input is not the JSON of `tranche ledger`: %s" % ex, file=sys.stderr)
        return 2
    try:
        verify(document, argv[2] if len(argv) == 3 else None)
    except Failure as ex:
        print("tranche_ledger.py: %s" % ex, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
