# Checks every signature of a Jifen ledger file as jifen reads them:
#   python3 verify_signatures.py FILE       (needs: pip install cryptography)
# RFC 8032's check (OpenSSL, through PyCA cryptography) first; where it
# refuses, the cofactored equation jifen uses decides, in plain Python.
import hashlib, json, sys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

p, L = 2**255 - 19, 2**252 + 27742317777372353535851937790883648493
d = -121665 * pow(121666, -1, p) % p

def decode(b):  # RFC 8032 5.1.3: None unless a canonical encoding of a point
    y, sign = int.from_bytes(b, "little") & (2**255 - 1), b[31] >> 7
    if y >= p: return None
    x2 = (y * y - 1) * pow(d * y * y + 1, -1, p) % p
    x = pow(x2, (p + 3) // 8, p)
    if (x * x - x2) % p: x = x * pow(2, (p - 1) // 4, p) % p
    if (x * x - x2) % p or (x == 0 and sign): return None
    x = p - x if x & 1 != sign else x
    return (x, y, 1, x * y % p)

def add(P, Q):  # RFC 8032 5.1.4, extended coordinates
    A, B = (P[1] - P[0]) * (Q[1] - Q[0]) % p, (P[1] + P[0]) * (Q[1] + Q[0]) % p
    C, D = 2 * P[3] * Q[3] * d % p, 2 * P[2] * Q[2] % p
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % p, G * H % p, F * G % p, E * H % p)

def mul(k, P, Q=(0, 1, 1, 0)):
    while k:
        Q, P, k = add(Q, P) if k & 1 else Q, add(P, P), k >> 1
    return Q

def zero(P): return P[0] % p == 0 and (P[1] - P[2]) % p == 0
def neg(P): return (-P[0] % p, P[1], P[2], -P[3] % p)
BASE = decode(bytes.fromhex("58" + "66" * 31))

def key_refused(key):  # registration: canonical, prime order, not small
    A = decode(key)
    return A is None or zero(mul(8, A)) or not zero(mul(L, A))

def cofactored(key, message, sig):  # [8]([S]B - R - [k]A) = 0, S < L
    A, R, s = decode(key), decode(sig[:32]), int.from_bytes(sig[32:], "little")
    if A is None or R is None or s >= L: return False
    k = int.from_bytes(hashlib.sha512(sig[:32] + key + message).digest(), "little") % L
    return zero(mul(8, add(add(mul(s, BASE), neg(R)), neg(mul(k, A)))))

keys, seq = {}, -1
for seq, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    entry = json.loads(line)
    body, message, sig = entry["body"], bytes.fromhex(entry["hash"]), bytes.fromhex(entry["sig"])
    new = body["admin"] if body["type"] == "genesis" else body if body["type"] == "actor" else None
    if new and new["id"] not in keys:
        key = bytes.fromhex(new["pubkey"])
        if key_refused(key): sys.exit(f"seq {seq}: key refused (not in the prime-order subgroup)")
        keys[new["id"]] = key
    key = keys[entry["actor"]]
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(sig, message)
    except InvalidSignature:
        if not cofactored(key, message, sig): sys.exit(f"seq {seq}: bad signature")
        print(f"seq {seq}: R has a small-order part: valid under the cofactored equation only")
print(f"ok {seq + 1} signatures")
