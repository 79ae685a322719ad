#!/usr/bin/env python3
"""Checks a Jifen v2 log directory with Python's hashlib and PyCA
cryptography only: the checkpoint's signature by the log's verifier key,
every leaf's place and canonical form, every device's signature, and the
RFC 6962 root of all the leaves against the signed checkpoint. It knows
nothing of the rules (balances, caps): `jifen log verify` replays those.

Usage: verify_log.py DIR [VKEY]   (VKEY defaults to DIR/vkey)
"""

import base64
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(message):
    print(message)
    sys.exit(1)


def read_vkey(text):
    name, key_id, coded = text.strip().split("+", 2)
    material = base64.b64decode(coded, validate=True)
    if material[0] != 0x01 or len(material) != 33:
        fail("vkey: not an Ed25519 key")
    expected = hashlib.sha256(name.encode() + b"\n" + material).digest()[:4]
    if expected.hex() != key_id:
        fail("vkey: the key ID does not match")
    return name, expected, material[1:]


def open_checkpoint(data, vkey):
    name, key_id, key = vkey
    text, _, signatures = data.decode("utf-8").rpartition("\n\n")
    text += "\n"
    lines = text.split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    if origin != name:
        fail(f"checkpoint of {origin}, not {name}")
    for line in signatures.strip("\n").split("\n"):
        dash, signer, coded = line.split(" ")
        raw = base64.b64decode(coded)
        if dash == "\u2014" and signer == name and raw[:4] == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(key).verify(raw[4:], text.encode())
            except InvalidSignature:
                fail("checkpoint: the log's signature does not verify")
            return size, root
    fail("checkpoint: not signed by the log's key")


def index_path(n):
    path = f"{n % 1000:03d}"
    while n >= 1000:
        n //= 1000
        path = f"x{n % 1000:03d}/{path}"
    return path


def leaves(directory, size):
    for tile in range((size + 255) // 256):
        width = min(256, size - tile * 256)
        suffix = "" if width == 256 else f".p/{width}"
        with open(os.path.join(directory, "tile/entries", index_path(tile) + suffix), "rb") as f:
            bundle = f.read()
        at, count = 0, 0
        while at < len(bundle):
            length = int.from_bytes(bundle[at:at + 2], "big")
            yield bundle[at + 2:at + 2 + length]
            at += 2 + length
            count += 1
        if count != width:
            fail(f"entry bundle {tile}: {count} leaves, not {width}")


def root_of(hashes):
    """RFC 6962's MTH, folded with a stack of complete subtrees."""
    stack = []
    for n, h in enumerate(hashes):
        stack.append(h)
        size = n + 1
        while size % 2 == 0:
            right, left = stack.pop(), stack.pop()
            stack.append(hashlib.sha256(b"\x01" + left + right).digest())
            size //= 2
    if not stack:
        return hashlib.sha256(b"").digest()
    root = stack.pop()
    while stack:
        root = hashlib.sha256(b"\x01" + stack.pop() + root).digest()
    return root


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def main():
    directory = sys.argv[1]
    vkey_text = sys.argv[2] if len(sys.argv) > 2 else open(os.path.join(directory, "vkey")).read()
    vkey = read_vkey(vkey_text)
    with open(os.path.join(directory, "checkpoint"), "rb") as f:
        size, root = open_checkpoint(f.read(), vkey)
    keys, hashes, v1 = {}, [], 0
    for index, leaf in enumerate(leaves(directory, size)):
        hashes.append(hashlib.sha256(b"\x00" + leaf).digest())
        parsed = json.loads(leaf)
        if "entry" not in parsed:
            v1 += 1  # a migrated ledger's v1 line: `verify_signatures.py` checks those
            continue
        if canonical(parsed) != leaf or parsed["index"] != index:
            fail(f"leaf {index}: not canonical, or out of place")
        entry = dict(parsed["entry"])
        signature = bytes.fromhex(entry.pop("sig"))
        body = entry["body"]
        if body["type"] == "genesis":
            keys[body["admin"]["id"]] = body["admin"]["pubkey"]
        if body["type"] == "actor":
            keys.setdefault(body["id"], body["pubkey"])
        digest = hashlib.sha256(canonical(entry)).digest()
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(keys[entry["actor"]])).verify(signature, digest)
        except (InvalidSignature, KeyError):
            fail(f"leaf {index}: bad signature by {entry['actor']}")
    if len(hashes) != size or root_of(hashes) != root:
        fail("the leaves do not add up to the signed root")
    print(f"ok {size} leaves ({v1} v1), root {base64.b64encode(root).decode()}, signed by {vkey[0]}")


main()
