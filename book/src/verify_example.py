# Checks the hash chain of a Jifen ledger file: python3 verify_example.py FILE
import hashlib, json, sys

prev, seq = "0" * 64, -1
for seq, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    entry = json.loads(line)
    claimed = entry.pop("hash")
    entry.pop("sig")
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != claimed:
        sys.exit(f"seq {seq}: hash mismatch, the entry was changed")
    if entry["prev"] != prev:
        sys.exit(f"seq {seq}: prev is not the previous entry's hash")
    prev = claimed
print(f"ok {seq + 1} entries, head {seq} {prev}")
