# The manual's outside signature check (book/src/verify_signatures.py, on
# PyCA cryptography and plain Python) against the crafted-signature
# fixtures that `cargo xtask` writes into DIR with their verdicts:
#   python3 tests/external/crafted.py DIR
import json, pathlib, subprocess, sys

folder = pathlib.Path(sys.argv[1])
script = pathlib.Path(__file__).resolve().parents[2] / "book/src/verify_signatures.py"
passed, failed = 0, 0
for fixture in json.loads((folder / "expected.json").read_text()):
    run = subprocess.run([sys.executable, script, folder / f"{fixture['name']}.jsonl"],
                         capture_output=True, text=True, timeout=600)
    if fixture["ok"]:
        good = run.returncode == 0 and run.stdout.strip().endswith(f"ok {fixture['entries']} signatures")
    else:
        reason = "key refused" if fixture["kind"] == "weak_key" else "bad signature"
        good = run.returncode == 1 and run.stderr.startswith(f"seq {fixture['seq']}: {reason}")
    passed, failed = passed + good, failed + (not good)
    if not good:
        print(f"{fixture['name']}: expected {fixture}, got {run.returncode} {run.stdout[-200:]!r} {run.stderr!r}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
