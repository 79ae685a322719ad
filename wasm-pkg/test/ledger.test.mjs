// Tests of the built npm package, in Node.js, on a demo ledger and on
// tampered copies. JIFEN_PKG names the package directory to import.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const pkg = await import(pathToFileURL(join(process.env.JIFEN_PKG, "node", "index.mjs")).href);
const { verify, verifyChain, Ledger, publicKey, demo, setLanguage } = pkg;
const golden = readFileSync(new URL("../../tests/data/golden.jsonl", import.meta.url), "utf8");
const community = demo(40, 3000, 7);
const keys = JSON.parse(community.keys);

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

test("verifies the golden ledger and a demo community", () => {
  assert.deepEqual(verify(golden), {
    ok: true,
    count: 10,
    head: { seq: 9, hash: "eb20476193bf465be8c98cee54d4aff6dc59f2393f6da82e612b8c55c675108f" },
  });
  const result = verify(new TextEncoder().encode(community.ledger));
  assert.equal(result.count, 3000);
  assert.deepEqual(verifyChain(community.ledger), result);
});

test("a changed byte is refused as an Error with seq, kind and message", () => {
  const lines = community.ledger.split("\n");
  lines[1234] = lines[1234].replace(/"ts":(\d+)/, (_, ts) => `"ts":${Number(ts) + 1}`);
  const error = thrown(() => verify(lines.join("\n")));
  assert.ok(error instanceof Error);
  assert.equal(error.name, "JifenError");
  assert.equal(error.kind, "hash_mismatch");
  assert.equal(error.seq, 1234);
  assert.match(error.messageEn, /^seq 1234: hash mismatch/);
  assert.match(error.message, /哈希不符/);
  setLanguage("en");
  assert.match(thrown(() => verify(lines.join("\n"))).message, /hash mismatch/);
  setLanguage("zh");
});

test("tampered copies: deleted line, forged signature, truncation, garbage", () => {
  const lines = community.ledger.split("\n");
  const deleted = [...lines.slice(0, 500), ...lines.slice(501)].join("\n");
  assert.deepEqual([thrown(() => verify(deleted)).kind, thrown(() => verify(deleted)).seq], ["seq_mismatch", 500]);
  const forged = [...lines];
  forged[700] = forged[700].replace(/"sig":"(.)/, (_, c) => `"sig":"${c === "a" ? "b" : "a"}`);
  const bad = thrown(() => verify(forged.join("\n")));
  assert.deepEqual([bad.kind, bad.seq], ["bad_signature", 700]);
  const cut = community.ledger.slice(0, -40);
  assert.deepEqual([thrown(() => verify(cut)).kind, thrown(() => verify(cut)).seq], ["incomplete_last_line", 2999]);
  for (const junk of ["", "\n", "null\n", "\u0000\u00ff\n", "{".repeat(100000), 42, {}, null]) {
    const error = thrown(() => verify(junk));
    assert.ok(error instanceof Error, `a ${typeof junk} gave ${error}`);
    assert.equal(typeof error.kind, "string");
  }
});

test("reads balances, history and rewards; the fold of the history is the balance", () => {
  const ledger = Ledger.open(community.ledger);
  const residents = ledger.residents();
  assert.equal(residents.length, 40);
  const richest = residents.reduce((a, b) => (Number(b.balance) > Number(a.balance) ? b : a));
  assert.equal(ledger.balance(richest.resident), richest.balance);
  assert.equal(ledger.balance("JX-9999"), undefined);
  const all = ledger.history(richest.resident, 0, 1000);
  assert.equal(all.length, ledger.historyLength(richest.resident));
  let sum = 0;
  for (const entry of all) {
    const undone = entry.reversedBy !== null;
    if (entry.body.type === "earn" && !undone) sum += Number(entry.body.points);
    if (entry.body.type === "redeem" && !undone) sum -= Number(entry.body.points);
  }
  assert.equal(sum, Number(richest.balance));
  const page = ledger.history(richest.resident, 0, 5);
  assert.ok(page.every((entry, i) => i === 0 || entry.seq < page[i - 1].seq), "newest first");
  const rewards = ledger.rewards();
  assert.ok(rewards.some((r) => r.name === "大米 5kg" && r.cost === "60"));
  assert.ok(rewards.every((r) => r.stock >= 0));
  ledger.free();
});

test("checks a published head and that a newer file extends an older one", () => {
  const older = Ledger.open(golden.split("\n").slice(0, 6).join("\n") + "\n");
  const newer = Ledger.open(golden);
  newer.checkHead("9:eb20476193bf465be8c98cee54d4aff6dc59f2393f6da82e612b8c55c675108f");
  newer.checkHead(older.head());
  newer.checkExtends(older);
  const rewritten = thrown(() => newer.checkHead({ seq: 3, hash: "0".repeat(64) }));
  assert.deepEqual([rewritten.kind, rewritten.seq], ["history_rewritten", 3]);
  assert.equal(thrown(() => older.checkExtends(newer)).kind, "head_beyond_end");
  assert.equal(thrown(() => newer.checkHead("nonsense")).kind, "bad_head");
});

test("signs and appends; a retried redeem is written once; a broken rule changes nothing", () => {
  const ledger = Ledger.open(community.ledger);
  const last = ledger.entry(ledger.count - 1);
  const ts = last.ts + 86_400_000;
  const resident = ledger.residents().find((r) => Number(r.balance) >= 5).resident;
  const earn = ledger.append(
    { actor: "officer-1", ts, body: { type: "earn", resident, activity: "garbage_sorting", points: "1", note: "夜班" } },
    keys["officer-1"],
  );
  assert.equal(earn.new, true);
  assert.equal(earn.seq, 3000);
  const redeem = { actor: "kiosk-1", ts, body: { type: "redeem", resident, reward: "bin-bags", qty: 1, points: "5", request_id: "js:1" } };
  const first = ledger.append(redeem, keys["kiosk-1"]);
  const retry = ledger.append(redeem, keys["kiosk-1"]);
  assert.deepEqual([first.new, retry.new, retry.seq], [true, false, first.seq]);
  const before = ledger.toJsonl();
  const overdraft = thrown(() =>
    ledger.append({ ...redeem, body: { ...redeem.body, reward: "rice", qty: 1000, points: "60000", request_id: "js:2" } }, keys["kiosk-1"]),
  );
  assert.equal(overdraft.kind, "insufficient_points");
  assert.match(overdraft.messageZh, /积分不足/);
  assert.equal(thrown(() => ledger.append({ ...redeem, body: { ...redeem.body, qty: 2, points: "10" } }, keys["kiosk-1"])).kind, "request_id_conflict");
  assert.equal(thrown(() => ledger.append(redeem, keys["officer-1"])).kind, "wrong_key");
  assert.equal(thrown(() => ledger.append({ ...redeem, body: { ...redeem.body, request_id: "js:3" } }, keys["officer-1"])).kind, "wrong_key");
  assert.equal(thrown(() => ledger.append({ actor: "officer-1", ts, body: { type: "earn" } }, keys["officer-1"])).kind, "malformed");
  assert.equal(thrown(() => ledger.append({ actor: "officer-1" }, keys["officer-1"])).kind, "bad_draft");
  assert.equal(thrown(() => ledger.append(redeem, "not hex")).kind, "bad_key");
  assert.equal(ledger.toJsonl(), before);
  // What was appended verifies as a file, line for line.
  assert.equal(verify(before).count, 3002);
  assert.equal(before.split("\n")[3000], earn.line);
  assert.equal(publicKey(keys["officer-1"]).length, 64);
});

// The crafted-signature fixtures of `ledger_core::testing`, written by
// `cargo xtask` into JIFEN_CRAFTED with each file's verdict: the package
// (signatures in batches of 512) gives each the verdict every other
// verifier gives.
test("crafted signatures get the one documented verdict", () => {
  const dir = process.env.JIFEN_CRAFTED;
  assert.ok(dir, "JIFEN_CRAFTED names the fixtures' folder");
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
  assert.ok(expected.length >= 10);
  for (const fixture of expected) {
    const file = readFileSync(join(dir, `${fixture.name}.jsonl`));
    if (fixture.ok) {
      assert.equal(verify(file).count, fixture.entries, fixture.name);
    } else {
      const error = thrown(() => verify(file));
      assert.deepEqual([error.seq, error.kind], [fixture.seq, fixture.kind], fixture.name);
    }
  }
});

// The public notice (公示) recomputed from the golden log's bundles alone:
// the rows, totals and 红榜 `jifen notice` wrote, and a root at the
// period's end that the log's signed checkpoint proves.
test("recomputes the golden log's monthly notice from its entry bundles", () => {
  const { Log, verifyCheckpoint } = pkg;
  const data = (name) => readFileSync(new URL(`../../tests/data/${name}`, import.meta.url));
  const log = new Log([data("golden-log/tile/entries/000"), data("golden-log/tile/entries/001.p/77")]);
  const checkpoint = verifyCheckpoint(data("golden-log/checkpoint"), data("golden-log/vkey").toString().trim());
  assert.equal(log.size(), checkpoint.size);
  assert.equal(log.rootAt(log.size()), checkpoint.root);
  const notice = log.notice("2025-01");
  const kept = JSON.parse(data("golden-log-notice-2025-01.json").toString());
  const { root, ...computed } = notice;
  const { log: where, ...expected } = kept;
  assert.deepEqual(computed, expected);
  assert.equal(root, where.root);
  assert.ok(notice.rows.length > 10 && notice.top.length > 0);
  // A changed leaf: the replay refuses it, naming the leaf.
  const bundle = new Uint8Array(data("golden-log/tile/entries/000"));
  const at = bundle.indexOf("JX-".charCodeAt(0), 4000);
  bundle[at + 3] ^= 1;
  const refused = thrown(() => new Log([bundle, data("golden-log/tile/entries/001.p/77")]));
  assert.ok(typeof refused.seq === "number" && refused.messageEn.length > 0, refused.message);
  assert.equal(thrown(() => log.notice("2025-13")).kind, "bad_period");
});

// Format v2: the golden log's checkpoint and a receipt, checked with the
// log's verifier key as a resident's phone would, without the log itself.
test("checks a v2 log's checkpoint, a receipt and a consistency proof", () => {
  const { verifyCheckpoint, verifyReceipt, verifyConsistency } = pkg;
  const data = (name) => readFileSync(new URL(`../../tests/data/${name}`, import.meta.url));
  const vkey = data("golden-log/vkey").toString().trim();
  const checkpoint = verifyCheckpoint(data("golden-log/checkpoint"), vkey);
  assert.equal(checkpoint.origin, "jifen.example/demo");
  assert.equal(checkpoint.size, 333);
  const receipt = verifyReceipt(data("golden-log-100.tlog-proof"), vkey, [], 0);
  assert.equal(receipt.index, 100);
  assert.equal(JSON.parse(receipt.leaf).index, 100);
  // Another log's key, a changed hash, a quorum nobody met: refused.
  const other = "jifen.example/demo+00000000+AU/Axw4IWqtp1S3ehxkzRRNohn4Irs2MFEyM4l4saTK5";
  assert.equal(thrown(() => verifyReceipt(data("golden-log-100.tlog-proof"), other, [], 0)).kind, "malformed");
  const text = data("golden-log-100.tlog-proof").toString();
  const lines = text.split("\n");
  lines[3] = lines[3].startsWith("A") ? "B" + lines[3].slice(1) : "A" + lines[3].slice(1);
  assert.equal(thrown(() => verifyReceipt(lines.join("\n"), vkey, [], 0)).kind, "proof_does_not_hold");
  assert.equal(thrown(() => verifyReceipt(text, vkey, [], 1)).kind, "too_few_witnesses");
  // A tree is consistent with itself; with another root it is not.
  assert.equal(verifyConsistency(checkpoint, checkpoint, []), undefined);
  const forged = { size: 333, root: "A".repeat(43) + "=" };
  assert.equal(thrown(() => verifyConsistency(checkpoint, forged, [])).kind, "proof_does_not_hold");
});
