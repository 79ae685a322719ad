// End-to-end tests of the web app as a device of a community's log: the
// real `jifen serve` (JIFEN_BIN) with a demo community on files, a real
// `jifen witness`, both on 127.0.0.1 ports of their own, started and
// stopped by these tests; Debian's Chromium through playwright-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const dist = process.env.JIFEN_DIST;
const jifen = process.env.JIFEN_BIN;
const shots = process.env.JIFEN_SCREENSHOTS;
let browser;
let work;
const children = new Set();

before(async () => {
  work = await mkdtemp(join(tmpdir(), "jifen-log-e2e-"));
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  for (const child of children) child.kill("SIGKILL");
  await browser?.close();
  await rm(work, { recursive: true, force: true });
});

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Starts `jifen …` and waits (at most 60 s) for a line of its output
// that contains `ready`; killed when the tests end.
function start(args, ready, cwd = work) {
  const child = spawn(jifen, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no "${ready}" from jifen ${args[0]}: ${seen}`)), 60_000);
    const look = (data) => {
      seen += data;
      if (seen.includes(ready)) {
        clearTimeout(timer);
        resolve({ child, output: seen });
      }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.on("exit", (code) => reject(new Error(`jifen ${args[0]} ended (${code}): ${seen}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const ended = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await ended;
}

function run(args, cwd) {
  return execFileSync(jifen, args, { cwd, encoding: "utf8" });
}

// A demo community in `dir` (logs/ and keys/): its log's verifier key.
function community(dir, entries) {
  const out = run(
    ["serve", "--dir", "logs", "--keys", "keys", "--demo-communities", "1", "--demo-entries", String(entries), "--setup-only"],
    dir,
  );
  return out.split(/\s+/)[2];
}

// The witness policy a notice board's QR code carries, in base64 for the
// page's address.
function policyText(logKey, witnessKey, witnessPort) {
  return `log ${logKey}\nwitness w1 ${witnessKey} http://127.0.0.1:${witnessPort}\nquorum w1\n`;
}

async function witness(dir, logKey) {
  const port = await freePort();
  run(["keygen", "--actor", "witness", "--keys", "witness.json"], dir);
  const args = ["witness", "--listen", `127.0.0.1:${port}`, "--state", "witness-state.json", "--keys", "witness.json", "--name", "jifen.example/w1", "--log", logKey];
  const { child, output } = await start(args, "witness ", dir);
  const key = output.split(/\s+/)[output.split(/\s+/).indexOf("witness") + 1];
  return { child, port, key };
}

async function service(dir, policy, port) {
  await writeFile(join(dir, "policy.txt"), policy);
  const args = ["serve", "--dir", "logs", "--keys", "keys", "--web", dist, "--listen", `127.0.0.1:${port}`, "--policy", "policy.txt", "--interval-ms", "100", "--idle-s", "1"];
  const { child } = await start(args, "listening on", dir);
  return child;
}

// A demo community of `entries` entries served on a free port, with its
// witness; the test stops both.
async function startCommunity(name, entries) {
  const dir = await mkdtemp(join(work, `${name}-`));
  const logKey = community(dir, entries);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  return { dir, port, policy, child, w };
}

// An entry signed as the demo's admin with `jifen log sign` and sent with
// `jifen log send`: a new resident, `code`.
function addResident(dir, port, code, household = "1-1-101") {
  const url = `http://127.0.0.1:${port}/logs/community-1`;
  const body = `{"active":true,"area":"A01","code":"${code}","household":"${household}","type":"resident"}`;
  const queue = `${code}.queue`;
  run(["log", "sign", queue, "--keys", "keys/community-1.json", "--as", "admin-1", "--ledger", "demo-community", "--body", body, "--state", "admin.state", "--log", url], dir);
  return run(["log", "send", queue, "--to", url], dir);
}

// A body signed as one of the demo's devices with `jifen log sign` and sent
// with `jifen log send`.
function signAndSend(dir, port, actor, body) {
  const url = `http://127.0.0.1:${port}/logs/community-1`;
  const queue = `${actor}-${Date.now()}.queue`;
  run(["log", "sign", queue, "--keys", "keys/community-1.json", "--as", actor, "--ledger", "demo-community", "--body", body, "--state", `${actor}.state`, "--log", url], dir);
  return run(["log", "send", queue, "--to", url], dir);
}

function phoneAddress(port, policy) {
  const encoded = encodeURIComponent(Buffer.from(policy).toString("base64"));
  return `http://127.0.0.1:${port}/?log=logs/community-1/&policy=${encoded}`;
}

async function verified(tab) {
  await tab.locator("footer.head[data-checked=verified]").waitFor({ timeout: 60_000 });
}

// A writing screen asks for the device's PIN (chosen the first time).
async function unlock(tab) {
  const pin = tab.locator("#pin");
  await pin.waitFor({ timeout: 10_000 });
  await pin.fill("2468");
  if ((await tab.locator("#pin-again").count()) > 0) await tab.locator("#pin-again").fill("2468");
  await pin.press("Enter");
  await pin.waitFor({ state: "detached" });
}

test("a phone follows the community's log: checked, witnessed, new entries within seconds, reopened from its copy", async () => {
  const dir = await mkdtemp(join(work, "follow-"));
  const logKey = community(dir, 3000);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  await service(dir, policy, port);
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.setViewportSize({ width: 390, height: 844 });
  const fetched = [];
  tab.on("request", (request) => fetched.push(new URL(request.url()).pathname));
  await tab.goto(phoneAddress(port, policy));
  await verified(tab);
  // The phone's own app, without the writing screens' code.
  assert.equal(await tab.evaluate(() => window.jifenApp), "jifen_phone");
  assert.ok(fetched.includes("/jifen_phone_bg.wasm"), fetched.join(" "));
  assert.ok(!fetched.some((path) => path.startsWith("/jifen_web")), fetched.join(" "));
  // The witness cosigns the service's checkpoints: the phone says so.
  await tab.locator(".witnessing[data-witnessed=true]").waitFor({ timeout: 30_000 });
  assert.match(await tab.locator(".witnessing").textContent(), /已见证（1\/1 位见证人）/);
  // A resident's phone: the resident's screens, no writing ones.
  assert.equal(await tab.getByRole("button", { name: "积分兑换" }).count(), 0);
  await tab.getByLabel("居民编号（可扫码）").fill("JX-0001");
  await tab.getByLabel("居民编号（可扫码）").press("Enter");
  const balance = await tab.getByTestId("balance").textContent();
  assert.match(balance, /^-?\d+(\.\d{1,2})?$/);
  if (shots) await tab.screenshot({ path: join(shots, "phone-follows-log.png"), fullPage: true });
  // An office desk adds a resident: the open phone has it within seconds.
  const size = Number(await tab.locator(".witnessing").getAttribute("data-size"));
  const sent = addResident(dir, port, "NEW001");
  const index = Number(/#(\d+)/.exec(sent)[1]);
  await tab.locator(`.witnessing[data-size="${size + 1}"]`).waitFor({ timeout: 20_000 });
  assert.match(await tab.locator(".log-notice").textContent(), /取得 1 条新记录/);
  await tab.getByLabel("居民编号（可扫码）").fill("NEW001");
  await tab.getByLabel("居民编号（可扫码）").press("Enter");
  assert.equal(await tab.getByTestId("balance").textContent(), "0");
  // The entry's receipt (as a kiosk prints it), checked on the phone with
  // nothing downloaded; one whose entry was changed is refused.
  const receipt = await (await fetch(`http://127.0.0.1:${port}/logs/community-1/receipt/${index}?wait_ms=5000`)).text();
  await tab.getByRole("button", { name: "核验" }).click();
  const before = fetched.length;
  await tab.getByLabel("收据二维码的内容（扫码或粘贴）").fill(receipt);
  await tab.getByRole("button", { name: "核对", exact: true }).click();
  const ok = tab.getByTestId("receipt-ok");
  await ok.waitFor();
  assert.match(await ok.textContent(), new RegExp(`在社区日志中，未被改动：第 ${index} 条`));
  assert.match(await ok.textContent(), /与本机保存的日志副本一致/);
  assert.equal(fetched.length, before, "nothing downloaded to check it");
  if (shots) await tab.screenshot({ path: join(shots, "phone-receipt-checked.png"), fullPage: true });
  const extra = /^extra (.*)$/m.exec(receipt)[1];
  const forged = Buffer.from(Buffer.from(extra, "base64").toString().replace("NEW001", "NEW002")).toString("base64");
  await tab.getByLabel("收据二维码的内容（扫码或粘贴）").fill(receipt.replace(extra, forged));
  await tab.getByRole("button", { name: "核对", exact: true }).click();
  assert.match(await tab.getByTestId("receipt-bad").textContent(), /收据不成立/);
  await tab.getByRole("button", { name: "居民查询" }).click();
  // Reopened: from the phone's own copy, the same balance.
  await tab.reload();
  await verified(tab);
  await tab.getByLabel("居民编号（可扫码）").fill("JX-0001");
  await tab.getByLabel("居民编号（可扫码）").press("Enter");
  assert.equal(await tab.getByTestId("balance").textContent(), balance);
  assert.equal(Number(await tab.locator(".witnessing").getAttribute("data-size")), size + 1);
  await context.close();
});

test("a log that rewrites its history is refused loudly, naming where, and the phone keeps its copy", async () => {
  const dir = await mkdtemp(join(work, "fork-"));
  const logKey = community(dir, 600);
  // The same log, copied before it parts: the same key, the same leaves.
  const other = await mkdtemp(join(work, "fork-other-"));
  await cp(dir, other, { recursive: true });
  const port = await freePort();
  // The policy's witness is not running: every checkpoint is below the
  // quorum.
  const w = await witness(dir, logKey);
  await stop(w.child);
  const policy = policyText(logKey, w.key, w.port);
  let child = await service(dir, policy, port);
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(phoneAddress(port, policy));
  await verified(tab);
  assert.match(await tab.locator(".witnessing").textContent(), /尚未见证（0\/1 位见证人）/);
  assert.equal(await tab.locator(".witnessing").getAttribute("data-witnessed"), "false");
  const size = Number(await tab.locator(".witnessing").getAttribute("data-size"));
  addResident(dir, port, "ONE001");
  await tab.locator(`.witnessing[data-size="${size + 1}"]`).waitFor({ timeout: 20_000 });
  // The service comes back on the copy, where another entry took that
  // place: a history that differs from leaf `size` on.
  await stop(child);
  child = await service(other, policy, port);
  addResident(other, port, "TWO002");
  const alarm = tab.locator(".log-notice.alarm");
  await alarm.waitFor({ timeout: 20_000 });
  assert.match(await alarm.textContent(), new RegExp(`改写了历史，从第 ${size} 条起`));
  assert.equal(await alarm.getAttribute("role"), "alert");
  if (shots) await tab.screenshot({ path: join(shots, "phone-log-rewritten.png"), fullPage: true });
  // The copy stays as it was, and so it opens again: still refused.
  await tab.getByLabel("居民编号（可扫码）").fill("ONE001");
  await tab.getByLabel("居民编号（可扫码）").press("Enter");
  assert.equal(await tab.getByTestId("balance").textContent(), "0");
  await tab.reload();
  await alarm.waitFor({ timeout: 20_000 });
  assert.match(await alarm.textContent(), new RegExp(`从第 ${size} 条起`));
  assert.equal(Number(await tab.locator(".witnessing").getAttribute("data-size")), size + 1);
  await context.close();
  await stop(child);
});

// The address of a kiosk of the demo community, its key in the fragment
// (as `cargo xtask serve` prints it).
async function kioskAddress(dir, port, policy, actor) {
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  return `${phoneAddress(port, policy)}&screen=kiosk#device=${actor}:${keys[actor]}`;
}

async function logSize(port) {
  const response = await fetch(`http://127.0.0.1:${port}/logs`);
  return (await response.json())[0].size;
}

async function deviceHead(port, actor) {
  const response = await fetch(`http://127.0.0.1:${port}/logs/community-1/device/${actor}`);
  return response.json();
}

// A redeem at the kiosk: the resident, the first reward they can afford,
// confirmed; the receipt (null: nothing they can afford).
async function redeem(tab, code) {
  const field = tab.getByLabel("居民编号（可扫码）");
  await field.fill(code);
  await field.press("Enter");
  await tab.locator(".balance .label", { hasText: code }).waitFor();
  const rewards = tab.locator("button.reward:not([disabled])");
  if ((await rewards.count()) === 0) return null;
  await rewards.first().click();
  await tab.getByRole("button", { name: "确认兑换", exact: true }).click();
  const receipt = tab.locator(".receipt");
  await receipt.waitFor();
  return receipt;
}

async function waitFor(what, check, seconds = 30) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test("a kiosk redeems 50 times offline, then every entry reaches the log once, and a closed tab's queue goes out", async () => {
  const dir = await mkdtemp(join(work, "offline-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  let child = await service(dir, policy, port);
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.setViewportSize({ width: 1280, height: 800 });
  await tab.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(tab);
  await unlock(tab);
  // The key is kept, and off the address.
  assert.equal(new URL(tab.url()).hash, "");
  const before = await logSize(port);
  // Online first: signed by this kiosk, then in the log with its number.
  // Residents with points for a reward or more.
  const codes = [];
  for (let n = 1; n <= 80; n += 1) {
    const code = `JX-${String(n).padStart(4, "0")}`;
    await tab.getByLabel("居民编号（可扫码）").fill(code);
    await tab.getByLabel("居民编号（可扫码）").press("Enter");
    await tab.locator(".balance .label", { hasText: code }).waitFor();
    if ((await tab.locator("button.reward:not([disabled])").count()) > 0) codes.push(code);
  }
  const online = await redeem(tab, codes.pop());
  assert.match(await online.getByTestId("receipt-actor").textContent(), /kiosk-1/);
  await tab.locator(".receipt [data-testid=receipt-log]", { hasText: "已记入社区日志" }).waitFor({ timeout: 20_000 });
  await tab.locator(".receipt-qr svg").waitFor({ timeout: 20_000 });
  if (shots) await tab.screenshot({ path: join(shots, "kiosk-log-receipt.png"), fullPage: true });
  // Printed on the 58 mm thermal printer: the receipt alone, inside the roll.
  await tab.emulateMedia({ media: "print" });
  const receiptPdf = join(dir, "receipt.pdf");
  await writeFile(receiptPdf, await tab.pdf({ preferCSSPageSize: true }));
  await tab.emulateMedia({ media: "screen" });
  const printed = renderedPdf(receiptPdf);
  assert.ok(Math.abs(printed.page[0] - 58) < 1.5, `a 58 mm roll: ${JSON.stringify(printed)}`);
  const [inkLeft, , inkWidth, inkHeight] = printed.ink;
  assert.ok(inkLeft >= 2 && inkLeft + inkWidth <= 56 && inkHeight > 40, `inside the roll: ${JSON.stringify(printed)}`);
  await context.setOffline(true);
  // Each redeem from the next resident who can still afford one.
  let done = 0;
  for (let i = 0; done < 50; i += 1) {
    assert.ok(codes.length > 0, "residents with points left");
    const code = codes[i % codes.length];
    const receipt = await redeem(tab, code);
    if (receipt === null) {
      codes.splice(codes.indexOf(code), 1);
      continue;
    }
    await receipt.getByText("离线：已在本机排队").waitFor();
    done += 1;
  }
  const banner = tab.locator(".outbox[data-offline=true]");
  await banner.waitFor();
  assert.equal(await banner.getAttribute("data-waiting"), "50");
  assert.match(await banner.textContent(), /离线规则：每次最多 500 分/);
  if (shots) await tab.screenshot({ path: join(shots, "kiosk-offline-banner.png") });
  await context.setOffline(false);
  await tab.locator(".outbox").waitFor({ state: "detached", timeout: 30_000 });
  assert.equal(await logSize(port), before + 51);
  // Three more offline, the tab closed before they go out, the service
  // killed and started again: a new tab sends them, once each.
  await context.setOffline(true);
  for (let left = 3, i = 0; left > 0; i += 1) {
    if ((await redeem(tab, codes[i % codes.length])) !== null) left -= 1;
  }
  await tab.close();
  await stop(child);
  child = await service(dir, policy, port);
  await context.setOffline(false);
  const again = await context.newPage();
  await again.goto(`${phoneAddress(port, policy)}&screen=kiosk`);
  await verified(again);
  await unlock(again);
  await waitFor("the closed tab's queue in the log", async () => (await logSize(port)) === before + 54);
  const head = await deviceHead(port, "kiosk-1");
  const size = await logSize(port);
  await again.locator(".outbox").waitFor({ state: "detached", timeout: 30_000 });
  // Nothing twice: sent again, the log keeps its size.
  await again.reload();
  await verified(again);
  await unlock(again);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(await logSize(port), size);
  assert.deepEqual(await deviceHead(port, "kiosk-1"), head);
  await context.close();
  await stop(child);
});

test("two kiosks redeem for one resident at once: the log takes what the balance allows, refuses the other clearly, and both see the same log", async () => {
  const dir = await mkdtemp(join(work, "two-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const one = await (await browser.newContext()).newPage();
  const two = await (await browser.newContext()).newPage();
  await one.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await two.goto(await kioskAddress(dir, port, policy, "kiosk-2"));
  await verified(one);
  await verified(two);
  await unlock(one);
  await unlock(two);
  // A resident, and the dearest reward their balance covers once but not
  // twice (found on the first kiosk).
  const code = "JX-0011";
  for (const tab of [one, two]) {
    await tab.getByLabel("居民编号（可扫码）").fill(code);
    await tab.getByLabel("居民编号（可扫码）").press("Enter");
  }
  const balance = Number(await one.getByTestId("balance").textContent());
  const costs = await one.locator("button.reward:not([disabled]) .points").allTextContents();
  const index = costs.map(Number).findIndex((cost) => cost * 2 > balance);
  assert.ok(index >= 0, `a reward that ${balance} covers once: ${costs}`);
  const before = await logSize(port);
  for (const tab of [one, two]) await tab.locator("button.reward:not([disabled])").nth(index).click();
  await Promise.all([one, two].map((tab) => tab.getByRole("button", { name: "确认兑换", exact: true }).click()));
  // One is in the log; the other kiosk says the log refused it, and why.
  const refusal = await waitFor("one kiosk told of the refusal", async () => {
    for (const tab of [one, two]) {
      const shown = tab.locator(".outbox .error");
      if (await shown.count()) return shown.first().textContent();
    }
    return null;
  });
  assert.match(refusal, /社区日志拒绝了一条记录：.*积分不足/);
  await waitFor("one entry in the log", async () => (await logSize(port)) === before + 1);
  // Both copies reach the same balance, the log's.
  await waitFor("both kiosks at the log's balance", async () => {
    const shown = await Promise.all([one, two].map((tab) => tab.getByTestId("balance").textContent()));
    return shown[0] === shown[1] && Number(shown[0]) < balance;
  });
  await stop(child);
});

test("a resident whose balance two kiosks spent offline sees the debt explained, in Chinese and in English", async () => {
  const dir = await mkdtemp(join(work, "debt-"));
  // The demo ends with both kiosks, offline, spending one resident's
  // points at once: both redeems stand and the resident owes the rest.
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const size = await logSize(port);
  const tail = await (await fetch(`http://127.0.0.1:${port}/logs/community-1/entries?start=${size - 8}&end=${size}`)).arrayBuffer();
  const code = Buffer.from(tail).toString("utf8").match(/"request_id":"demo-at-once-0","resident":"([^"]+)"/)?.[1];
  assert.ok(code, "the demo's two offline kiosks are at the log's end");
  const tab = await (await browser.newContext()).newPage();
  await tab.setViewportSize({ width: 390, height: 844 });
  await tab.goto(phoneAddress(port, policy));
  await verified(tab);
  await tab.getByLabel("居民编号（可扫码）").fill(code);
  await tab.getByLabel("居民编号（可扫码）").press("Enter");
  const debt = tab.getByTestId("debt");
  assert.match(await debt.textContent(), /^欠 \d+(\.\d{1,2})? 分：离线时的兑换（例如两台自助机在断网时各自兑换）合计超过了当时的余额/);
  assert.equal(await tab.getByTestId("balance").textContent(), "0");
  if (shots) await tab.screenshot({ path: join(shots, "phone-debt-explained.png"), fullPage: true });
  await tab.getByRole("button", { name: "English" }).click();
  assert.match(await debt.textContent(), /^Owes \d+(\.\d{1,2})? points: redeems made offline \(two kiosks each spending while the network was down, say\)/);
  // A resident who owes nothing is not told of a debt.
  await tab.getByLabel(/Resident code/).fill("JX-0001");
  await tab.getByLabel(/Resident code/).press("Enter");
  await tab.getByRole("heading", { name: /^JX-0001/ }).waitFor();
  assert.equal(await tab.getByTestId("debt").count(), 0);
  await stop(child);
  await stop(w.child);
});

test("older eyes on a phone: a larger text and high contrast it remembers, and the balance read aloud in Chinese", async () => {
  const dir = await mkdtemp(join(work, "eyes-"));
  const logKey = community(dir, 300);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const context = await browser.newContext();
  // What the page asks the browser to say, kept instead of said.
  await context.addInitScript(() => {
    window.spoken = [];
    speechSynthesis.speak = (u) => window.spoken.push({ text: u.text, lang: u.lang });
  });
  const tab = await context.newPage();
  await tab.setViewportSize({ width: 390, height: 844 });
  await tab.goto(phoneAddress(port, policy));
  await verified(tab);
  const size = tab.getByTestId("text-size");
  assert.equal(await size.textContent(), "字号 标准");
  const zoom = () => tab.evaluate(() => getComputedStyle(document.body).zoom);
  assert.equal(await zoom(), "1");
  await size.click();
  assert.equal(await size.textContent(), "字号 大");
  assert.equal(await zoom(), "1.25");
  await tab.getByTestId("contrast").click();
  assert.equal(await tab.getByTestId("contrast").getAttribute("aria-pressed"), "true");
  assert.equal(await tab.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--ink").trim()), "#000");
  // Remembered by the device: the next visit opens at that size, in contrast.
  await tab.reload();
  await verified(tab);
  assert.equal(await tab.getByTestId("text-size").textContent(), "字号 大");
  assert.equal(await zoom(), "1.25");
  assert.equal(await tab.evaluate(() => document.documentElement.dataset.contrast), "high");
  await tab.getByLabel("居民编号（可扫码）").fill("JX-0003");
  await tab.getByLabel("居民编号（可扫码）").press("Enter");
  const balance = await tab.getByTestId("balance").textContent();
  await tab.getByTestId("speak").click();
  assert.deepEqual(await tab.evaluate(() => window.spoken), [{ text: `JX-0003，当前积分 ${balance} 分`, lang: "zh-CN" }]);
  if (shots) await tab.screenshot({ path: join(shots, "phone-large-contrast.png"), fullPage: false });
  // In English, in English.
  await tab.getByRole("button", { name: "English" }).click();
  await tab.getByTestId("speak").click();
  assert.deepEqual((await tab.evaluate(() => window.spoken))[1], { text: `JX-0003: ${balance} points`, lang: "en-US" });
  // Back to the standard size after the largest.
  await tab.getByTestId("text-size").click();
  await tab.getByTestId("text-size").click();
  assert.equal(await zoom(), "1");
  await stop(child);
  await stop(w.child);
});

test("an officer's tablet records points through the log, and a kiosk sees them within seconds", async () => {
  const dir = await mkdtemp(join(work, "officer-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const officer = await (await browser.newContext()).newPage();
  await officer.goto(`${phoneAddress(port, policy)}&screen=officer#device=officer-1:${keys["officer-1"]}`);
  await verified(officer);
  await unlock(officer);
  const kiosk = await (await browser.newContext()).newPage();
  await kiosk.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(kiosk);
  await unlock(kiosk);
  const code = "JX-0012";
  await kiosk.getByLabel("居民编号（可扫码）").fill(code);
  await kiosk.getByLabel("居民编号（可扫码）").press("Enter");
  const before = Number(await kiosk.getByTestId("balance").textContent());
  const size = await logSize(port);
  await officer.locator("#officer-codes").fill(`${code}\nNOBODY-9`);
  await officer.getByRole("button", { name: "记录积分" }).click();
  const lines = officer.locator(".outcomes li");
  await lines.first().waitFor();
  assert.match(await lines.allTextContents().then((l) => l.join(" | ")), /JX-0012 已记录.*送往社区日志/);
  // The unknown code is refused with the reason, and stays in the field.
  assert.equal(await officer.locator("#officer-codes").inputValue(), "NOBODY-9");
  await waitFor("the earn in the log", async () => (await logSize(port)) === size + 1);
  await waitFor("the kiosk showing the new balance", async () => Number(await kiosk.getByTestId("balance").textContent()) > before);
  await stop(child);
});

test("volunteer service counted in hours: the officer says how many, bad hours are refused, and the phone's history shows them", async () => {
  const { dir, port, policy, child, w } = await startCommunity("hours", 1500);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const officer = await (await browser.newContext()).newPage();
  await officer.goto(`${phoneAddress(port, policy)}&screen=officer#device=officer-1:${keys["officer-1"]}`);
  await verified(officer);
  await unlock(officer);
  const hours = officer.getByLabel("时长（小时，可填半小时，如 1.5）");
  assert.equal(await hours.count(), 0, "no hours for an activity counted each time");
  await officer.locator("label.choice", { hasText: "志愿服务" }).click();
  await officer.locator("label.choice", { hasText: "志愿服务" }).getByText("按小时计 3").waitFor();
  const code = "JX-0012";
  const size = await logSize(port);
  await officer.locator("#officer-codes").fill(code);
  await hours.fill("1.25");
  await officer.getByRole("button", { name: "记录积分" }).click();
  await officer.locator(".outcomes li.error", { hasText: "须为以半小时为单位的时长" }).waitFor();
  assert.equal(await logSize(port), size, "nothing written for a quarter hour");
  await hours.fill("1.5");
  await officer.getByRole("button", { name: "记录积分" }).click();
  await officer.locator(".outcomes li:not(.error)", { hasText: "JX-0012 已记录" }).waitFor();
  await waitFor("the earn in the log", async () => (await logSize(port)) === size + 1);
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(phoneAddress(port, policy));
  await verified(phone);
  await phone.getByLabel("居民编号（可扫码）").fill(code);
  await phone.getByLabel("居民编号（可扫码）").press("Enter");
  const row = phone.locator("ol.history li", { hasText: "志愿服务 1.5 小时" }).first();
  await row.waitFor();
  assert.match(await row.textContent(), /\+4\.5/);
  await stop(child);
  await stop(w.child);
});

test("a mediation counts only once a reviewer approves it on another device, and a rejected one never", async () => {
  const dir = await mkdtemp(join(work, "review-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const officer = await (await browser.newContext()).newPage();
  await officer.goto(`${phoneAddress(port, policy)}&screen=officer#device=officer-1:${keys["officer-1"]}`);
  await verified(officer);
  await unlock(officer);
  const kiosk = await (await browser.newContext()).newPage();
  await kiosk.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(kiosk);
  await unlock(kiosk);
  const code = "JX-0012";
  await kiosk.getByLabel("居民编号（可扫码）").fill(code);
  await kiosk.getByLabel("居民编号（可扫码）").press("Enter");
  const balance = async () => Number(await kiosk.getByTestId("balance").textContent());
  const before = await balance();
  const kioskSees = (size) => waitFor(`the kiosk at ${size} leaves`, async () => (await kiosk.locator("footer.head").textContent()).includes(`${size} 条记录`));

  // The officer records two mediations: each is a claim, marked as such.
  const mediation = officer.locator("label.choice", { hasText: "矛盾调处" });
  assert.match(await mediation.textContent(), /需审核/);
  await mediation.locator("input").check();
  const size = await logSize(port);
  for (let n = 0; n < 2; n++) {
    await officer.locator("#officer-codes").fill(code);
    await officer.getByRole("button", { name: "记录积分" }).click();
    await waitFor("the claim in the log", async () => (await logSize(port)) === size + n + 1);
  }
  await kioskSees(size + 2);
  assert.equal(await balance(), before, "a claim counts nothing before review");

  // A reviewer's tablet lists both, approves the first, rejects the second.
  const reviewer = await (await browser.newContext()).newPage();
  await reviewer.goto(`${phoneAddress(port, policy)}&screen=review#device=reviewer-1:${keys["reviewer-1"]}`);
  await verified(reviewer);
  await unlock(reviewer);
  const claims = reviewer.locator(`[data-testid=claim]`, { hasText: code });
  await waitFor("both claims listed", async () => (await claims.count()) >= 2);
  const first = reviewer.locator(`[data-testid=claim][data-seq="${size}"]`);
  const second = reviewer.locator(`[data-testid=claim][data-seq="${size + 1}"]`);
  if (shots) await reviewer.screenshot({ path: join(shots, "review-claims.png"), fullPage: true });
  await first.getByRole("button", { name: /^通过 JX-0012/ }).click();
  await waitFor("the approval in the log", async () => (await logSize(port)) === size + 3);
  await kioskSees(size + 3);
  assert.equal(await balance(), before + 10, "the approved mediation counts");
  // A rejection needs a reason: refused without one, written with one.
  await second.getByRole("button", { name: /^驳回 JX-0012/ }).click();
  await reviewer.locator(".outcomes li.error").first().waitFor();
  await second.getByLabel("意见（驳回时必填）").fill("调解未成");
  await second.getByRole("button", { name: /^驳回 JX-0012/ }).click();
  await waitFor("the rejection in the log", async () => (await logSize(port)) === size + 4);
  await kioskSees(size + 4);
  assert.equal(await balance(), before + 10, "the rejected one never counts");
  await waitFor("no claim of JX-0012 left", async () => (await claims.count()) === 0);
  await stop(child);
});

test("a deduction takes points only once a reviewer approves it, and then the kiosk refuses the suspended resident, saying until when", async () => {
  const dir = await mkdtemp(join(work, "deduct-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const officer = await (await browser.newContext()).newPage();
  await officer.goto(`${phoneAddress(port, policy)}&screen=officer#device=officer-1:${keys["officer-1"]}`);
  await verified(officer);
  await unlock(officer);
  const kiosk = await (await browser.newContext()).newPage();
  await kiosk.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(kiosk);
  await unlock(kiosk);
  const code = "JX-0012";
  await kiosk.getByLabel("居民编号（可扫码）").fill(code);
  await kiosk.getByLabel("居民编号（可扫码）").press("Enter");
  const balance = async () => Number(await kiosk.getByTestId("balance").textContent());
  const before = await balance();
  const kioskSees = (size) => waitFor(`the kiosk at ${size} leaves`, async () => (await kiosk.locator("footer.head").textContent()).includes(`${size} 条记录`));

  // The officer deducts for a false claim: 20 points and 30 days.
  const form = officer.getByTestId("deduct-form");
  const penalty = form.locator("label.choice", { hasText: "虚报活动骗取积分" });
  assert.match(await penalty.textContent(), /−20.*取消兑换资格 30 天/);
  await penalty.locator("input").check();
  await officer.getByLabel("居民编号", { exact: true }).fill(code);
  // A deduction needs its reason: refused without one, nothing written.
  const size = await logSize(port);
  await officer.getByRole("button", { name: "提交扣分" }).click();
  await officer.locator(".outcomes li.error").first().waitFor();
  assert.equal(await logSize(port), size);
  await officer.getByLabel("扣分原因（公示时显示）").fill("同一次巡逻登记了两次");
  await officer.getByRole("button", { name: "提交扣分" }).click();
  await waitFor("the deduction in the log", async () => (await logSize(port)) === size + 1);
  await kioskSees(size + 1);
  assert.equal(await balance(), before, "a deduction takes nothing before review");
  assert.equal(await kiosk.getByTestId("suspended").count(), 0);

  // The reviewer sees it as a deduction, with its reason, and approves it.
  const reviewer = await (await browser.newContext()).newPage();
  await reviewer.goto(`${phoneAddress(port, policy)}&screen=review#device=reviewer-1:${keys["reviewer-1"]}`);
  await verified(reviewer);
  await unlock(reviewer);
  const card = reviewer.locator(`[data-testid=claim][data-seq="${size}"]`);
  await card.waitFor();
  const text = await card.textContent();
  assert.ok(text.includes("扣分") && text.includes("−20") && text.includes("同一次巡逻登记了两次") && text.includes("取消兑换资格 30 天"), text);
  if (shots) await reviewer.screenshot({ path: join(shots, "review-deduction.png"), fullPage: true });
  await card.getByRole("button", { name: /^通过 JX-0012/ }).click();
  await waitFor("the approval in the log", async () => (await logSize(port)) === size + 2);
  await kioskSees(size + 2);
  assert.equal(await balance(), Math.max(0, before - 20), "the approved deduction takes its points");

  // The kiosk says once, above the rewards, that redeeming is suspended
  // and until when; every reward is refused.
  const suspended = kiosk.getByTestId("suspended");
  await suspended.waitFor();
  const until = new Date(Date.now() + 8 * 3600_000 + 30 * 86_400_000).toISOString().slice(0, 10);
  assert.match(await suspended.textContent(), new RegExp(`该居民已被取消兑换资格，${until} 起恢复`));
  assert.equal(await kiosk.locator("button.reward:not([disabled])").count(), 0);
  if (shots) await kiosk.screenshot({ path: join(shots, "kiosk-suspended.png"), fullPage: true });
  // The resident's own phone says so too, and shows the deduction.
  const phone = await (await browser.newContext()).newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(phoneAddress(port, policy));
  await verified(phone);
  await phone.getByLabel("居民编号（可扫码）").fill(code);
  await phone.getByLabel("居民编号（可扫码）").press("Enter");
  assert.equal(await phone.getByTestId("suspended").textContent(), `因扣分被取消兑换资格，恢复兑换日期：${until}`);
  await phone.locator("ol.history li", { hasText: "扣分（已通过）" }).waitFor();
  await stop(child);
  await stop(w.child);
});

test("a household's two bags of rice a month: the kiosk counts them whoever of the household redeems, then greys rice out, and every screen shows the household's total", async () => {
  const { dir, port, policy, child, w } = await startCommunity("household", 600);
  const code = "JX-0011";
  const head = await (await fetch(`http://127.0.0.1:${port}/logs/community-1/entries?start=0&end=256`)).arrayBuffer();
  const household = Buffer.from(head).toString("utf8").match(new RegExp(`"code":"${code}","household":"([^"]+)"`))?.[1];
  assert.ok(household, "her registration is among the first leaves");
  // Her daughter lives with her; both have points for rice.
  addResident(dir, port, "JX-9101", household);
  signAndSend(dir, port, "admin-1", `{"active":true,"daily_cap":"400","id":"big_help","name":"社区大扫除","points":"200","type":"activity"}`);
  for (const who of [code, "JX-9101"]) {
    signAndSend(dir, port, "officer-1", `{"activity":"big_help","note":"","points":"200","resident":"${who}","type":"earn"}`);
  }
  const size = await logSize(port);
  const kiosk = await (await browser.newContext()).newPage();
  await kiosk.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(kiosk);
  await unlock(kiosk);
  await waitFor("the earns in the kiosk's copy", async () => (await kiosk.locator("footer.head").textContent()).includes(`${size} 条记录`));
  const find = async (who) => {
    await kiosk.getByLabel("居民编号（可扫码）").fill(who);
    await kiosk.getByLabel("居民编号（可扫码）").press("Enter");
    await kiosk.getByTestId("balance").waitFor();
  };
  const rice = () => kiosk.getByRole("button", { name: /^兑换 大米 5kg/ });
  const riceLine = () => kiosk.locator("li", { has: rice() });
  const redeemRice = async () => {
    await rice().click();
    await kiosk.getByRole("dialog").getByRole("button", { name: "确认兑换", exact: true }).click();
    await kiosk.getByTestId("receipt-balance").waitFor();
  };
  await find(code);
  assert.match(await kiosk.getByTestId("household-total").textContent(), new RegExp(`本户 ${household} · 2 人`));
  await riceLine().getByText("本户本月已兑 0/2").waitFor();
  await redeemRice();
  await find("JX-9101");
  await riceLine().getByText("本户本月已兑 1/2").waitFor();
  await redeemRice();
  await waitFor("both bags in the log", async () => (await logSize(port)) === size + 2);
  // The household has had its two: rice is greyed out for either of them.
  for (const who of [code, "JX-9101"]) {
    await find(who);
    await riceLine().getByText("本户本月已兑满").waitFor();
    assert.equal(await rice().isDisabled(), true, who);
  }
  if (shots) await kiosk.screenshot({ path: join(shots, "kiosk-household-limit.png"), fullPage: true });
  // Her phone shows the household's total too.
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(phoneAddress(port, policy));
  await verified(phone);
  await phone.getByLabel("居民编号（可扫码）").fill(code);
  await phone.getByLabel("居民编号（可扫码）").press("Enter");
  assert.match(await phone.getByTestId("household-total").textContent(), /全户合计/);
  await stop(child);
  await stop(w.child);
});

test("a resident gives points to a neighbour at the kiosk: past the most is refused, the gift reaches the log, and both histories say so", async () => {
  const { dir, port, policy, child, w } = await startCommunity("transfer", 1500);
  signAndSend(dir, port, "admin-1", `{"active":true,"daily_cap":"400","id":"big_help","name":"社区大扫除","points":"200","type":"activity"}`);
  signAndSend(dir, port, "officer-1", `{"activity":"big_help","note":"","points":"200","resident":"JX-0011","type":"earn"}`);
  const size = await logSize(port);
  const kiosk = await (await browser.newContext()).newPage();
  await kiosk.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(kiosk);
  await unlock(kiosk);
  await waitFor("the earn in the kiosk's copy", async () => (await kiosk.locator("footer.head").textContent()).includes(`${size} 条记录`));
  await kiosk.getByLabel("居民编号（可扫码）").fill("JX-0011");
  await kiosk.getByLabel("居民编号（可扫码）").press("Enter");
  const before = Number(await kiosk.getByTestId("balance").textContent());
  const form = kiosk.locator("form.transfer");
  await form.getByText("每次最多 20").waitFor();
  await form.getByLabel("转赠给（居民编号）").fill("JX-0012");
  await form.getByLabel("转赠积分数").fill("25");
  await form.getByRole("button", { name: "确认转赠" }).click();
  await kiosk.getByTestId("transfer-outcome").filter({ hasText: "每次转赠最多 20 分，本次 25 分" }).waitFor();
  assert.equal(await logSize(port), size, "nothing written past the most");
  await form.getByLabel("转赠积分数").fill("5");
  await form.getByRole("button", { name: "确认转赠" }).click();
  await kiosk.getByTestId("transfer-outcome").filter({ hasText: "已转赠给 JX-0012 5 分" }).waitFor();
  await waitFor("the gift in the log", async () => (await logSize(port)) === size + 1);
  await waitFor("the giver's balance", async () => Number(await kiosk.getByTestId("balance").textContent()) === before - 5);
  if (shots) await kiosk.screenshot({ path: join(shots, "kiosk-transfer.png"), fullPage: true });
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(phoneAddress(port, policy));
  await verified(phone);
  for (const [who, says] of [["JX-0012", ["收到转赠", "JX-0011", "+5"]], ["JX-0011", ["转赠给", "JX-0012", "−5"]]]) {
    await phone.getByLabel("居民编号（可扫码）").fill(who);
    await phone.getByLabel("居民编号（可扫码）").press("Enter");
    const row = phone.locator("ol.history li").first();
    const shown = async () => Promise.all([".kind", ".item", ".points"].map((part) => row.locator(part).textContent()));
    await waitFor(`${who}'s history`, async () => JSON.stringify(await shown()) === JSON.stringify(says));
  }
  await stop(child);
  await stop(w.child);
});

test("a son collects his mother's rice at the kiosk: the log takes a family member, refuses a stranger, and the receipt and history say who", async () => {
  const dir = await mkdtemp(join(work, "collect-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const kiosk = await (await browser.newContext()).newPage();
  await kiosk.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(kiosk);
  await unlock(kiosk);
  const code = "JX-0011";
  await kiosk.getByLabel("居民编号（可扫码）").fill(code);
  await kiosk.getByLabel("居民编号（可扫码）").press("Enter");
  await kiosk.getByTestId("balance").waitFor();
  // Her son is registered in her household; a stranger, in another.
  const head = await (await fetch(`http://127.0.0.1:${port}/logs/community-1/entries?start=0&end=256`)).arrayBuffer();
  const household = Buffer.from(head).toString("utf8").match(new RegExp(`"code":"${code}","household":"([^"]+)"`))?.[1];
  assert.ok(household, "her registration is among the first leaves");
  addResident(dir, port, "JX-9001", household);
  addResident(dir, port, "JX-9002", "9-9-909");
  const size = await logSize(port);
  await waitFor("both in the kiosk's copy", async () => (await kiosk.locator("footer.head").textContent()).includes(`${size} 条记录`));
  const choose = async () => {
    await kiosk.locator("button.reward:not([disabled])").first().click();
    return kiosk.getByRole("dialog");
  };
  let dialog = await choose();
  await dialog.getByLabel("代领人编号（本人领取不填）").fill("JX-9002");
  await dialog.getByRole("button", { name: "确认兑换", exact: true }).click();
  await kiosk.getByText("JX-9002 不能替 JX-0011 代领：须为同户家人或管理员登记的帮办人").waitFor();
  assert.equal(await logSize(port), size, "nothing written for a stranger");
  await kiosk.getByRole("button", { name: "取消" }).click().catch(() => {});
  dialog = await choose();
  await dialog.getByLabel("代领人编号（本人领取不填）").fill("JX-9001");
  await dialog.getByRole("button", { name: "确认兑换", exact: true }).click();
  const receipt = kiosk.getByTestId("receipt-collector");
  await receipt.waitFor();
  assert.equal(await receipt.textContent(), "代领人：JX-9001");
  await waitFor("the redeem in the log", async () => (await logSize(port)) === size + 1);
  if (shots) await kiosk.screenshot({ path: join(shots, "kiosk-collected.png"), fullPage: true });
  // Her phone's history says who collected it.
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(phoneAddress(port, policy));
  await verified(phone);
  await phone.getByLabel("居民编号（可扫码）").fill(code);
  await phone.getByLabel("居民编号（可扫码）").press("Enter");
  await phone.locator("ol.history li", { hasText: "代领人 JX-9001" }).first().waitFor();
  await stop(child);
  await stop(w.child);
});

// A printed page as poppler renders it: its page count, and the box of its
// dark pixels in millimetres from the page's corner (from a grey image).
function renderedPdf(file) {
  const pages = Number(execFileSync("pdfinfo", [file]).toString().match(/Pages:\s+(\d+)/)[1]);
  const dpi = 72;
  const pgm = execFileSync("pdftoppm", ["-gray", "-r", String(dpi), "-f", "1", "-l", "1", file]);
  const [, width, height] = pgm.toString("latin1", 0, 20).match(/^P5\s+(\d+)\s+(\d+)\s+255\s/).map(Number);
  const start = pgm.length - width * height;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pgm[start + y * width + x] < 128) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  const mm = (px) => (px * 25.4) / dpi;
  return { pages, page: [mm(width), mm(height)], ink: [mm(left), mm(top), mm(right - left + 1), mm(bottom - top + 1)] };
}

test("a resident's card printed at the office: the code in large type and as a QR code, card-sized on one A4 page", async () => {
  const { dir, port, policy, child, w } = await startCommunity("card", 600);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const office = await (await browser.newContext()).newPage();
  await office.goto(`${phoneAddress(port, policy)}&screen=admin#device=admin-1:${keys["admin-1"]}`);
  await verified(office);
  await unlock(office);
  const button = office.getByRole("button", { name: "居民积分卡" });
  assert.equal(await button.isDisabled(), true, "no card before a registered code");
  await office.locator("#resident-code").fill("NOBODY-1");
  assert.equal(await button.isDisabled(), true, "no card for an unknown code");
  await office.locator("#resident-code").fill("JX-0011");
  await button.click();
  const card = office.getByTestId("resident-card");
  await card.waitFor();
  assert.match(await card.textContent(), /JX-0011/);
  assert.equal(await card.getByRole("img", { name: "居民编号二维码 JX-0011" }).locator("svg").count(), 1);
  if (shots) await card.screenshot({ path: join(shots, "resident-card.png") });
  // Printed: the card alone, at its size, on one A4 page.
  await office.emulateMedia({ media: "print" });
  assert.equal(await office.locator("nav.tabs").isVisible(), false);
  assert.equal(await office.locator(".head-card").isVisible(), false);
  assert.equal(await office.getByRole("button", { name: "打印居民卡" }).isVisible(), false);
  const pdf = join(dir, "card.pdf");
  await writeFile(pdf, await office.pdf({ preferCSSPageSize: true }));
  const printed = renderedPdf(pdf);
  assert.equal(printed.pages, 1, JSON.stringify(printed));
  assert.ok(Math.abs(printed.page[0] - 210) < 2 && Math.abs(printed.page[1] - 297) < 2, JSON.stringify(printed));
  const [left, top, width, height] = printed.ink;
  assert.ok(Math.abs(width - 85.6) < 3 && Math.abs(height - 54) < 3, `the card is ${width} × ${height} mm`);
  assert.ok(left < 25 && top < 25, "at the page's top left corner, inside its margin");
  if (shots) execFileSync("pdftoppm", ["-png", "-r", "100", "-singlefile", "-x", "0", "-y", "0", "-W", "480", "-H", "340", pdf, join(shots, "resident-card-print")]);
  await stop(child);
  await stop(w.child);
});

test("a resident's passbook page at the office: the entries jifen passbook lists, the balances carried, a receipt's QR code, printed on A5", async () => {
  const { dir, port, policy, child, w } = await startCommunity("passbook", 1500);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const office = await (await browser.newContext()).newPage();
  await office.goto(`${phoneAddress(port, policy)}&screen=audit#device=admin-1:${keys["admin-1"]}`);
  await verified(office);
  const period = await office.locator("#passbook-period").inputValue();
  assert.match(period, /^\d{4}-\d{2}$/);
  const code = "JX-0012";
  const cli = JSON.parse(run(["passbook", "logs/community-1", code, "--period", period, "--json"], dir));
  assert.ok(cli.lines.length > 0, `${code} has entries in ${period}`);
  await office.locator("#passbook-code").fill("NOBODY-9");
  await office.getByRole("button", { name: "显示存折页" }).click();
  await office.getByRole("alert").filter({ hasText: "查无此居民：NOBODY-9" }).waitFor();
  await office.locator("#passbook-code").fill(code);
  const page = office.getByTestId("passbook");
  await page.waitFor();
  assert.equal(Number(await page.getAttribute("data-lines")), cli.lines.length);
  assert.equal(await office.getByTestId("passbook-opening").textContent(), `上期结余 ${cli.opening}`);
  assert.equal(await office.getByTestId("passbook-closing").textContent(), `本期结余 ${cli.closing}`);
  const text = await page.textContent();
  assert.ok(text.includes(cli.log.root), "the root at the period's end, as the command line gives it");
  await page.getByRole("img", { name: "本页最后一条记录的收据二维码" }).locator("svg").waitFor();
  // Printed: the page alone, on A5.
  await office.emulateMedia({ media: "print" });
  assert.equal(await office.locator("nav.tabs").isVisible(), false);
  assert.equal(await office.locator(".notice-page").isVisible(), false, "the notice stays off the passbook's sheet");
  assert.equal(await page.isVisible(), true);
  const pdf = join(dir, "passbook.pdf");
  await writeFile(pdf, await office.pdf({ preferCSSPageSize: true }));
  const printed = renderedPdf(pdf);
  assert.ok(Math.abs(printed.page[0] - 148) < 2 && Math.abs(printed.page[1] - 210) < 2, JSON.stringify(printed));
  const [left, top, width] = printed.ink;
  assert.ok(left >= 8 && top >= 8 && left + width <= 141, `inside the margins: ${JSON.stringify(printed)}`);
  if (shots) execFileSync("pdftoppm", ["-png", "-r", "90", "-singlefile", "-f", "1", "-l", "1", pdf, join(shots, "passbook-a5")]);
  await stop(child);
  await stop(w.child);
});

test("a month's public notice on an office's screen: the rows jifen notice lists, its root, printed on A4", async () => {
  const dir = await mkdtemp(join(work, "notice-"));
  const logKey = community(dir, 1500);
  // What the command line says of March, before the service holds the log.
  const cli = JSON.parse(run(["notice", "logs/community-1", "--period", "2025-03", "--json"], dir));
  assert.ok(cli.rows.length > 20);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const office = await (await browser.newContext()).newPage();
  await office.goto(`${phoneAddress(port, policy)}&screen=audit#device=admin-1:${keys["admin-1"]}`);
  await verified(office);
  const period = office.getByLabel("公示期间（如 2026-11、2026-Q4 或 2026）");
  await period.fill("2025-13");
  await office.getByRole("alert").filter({ hasText: "期间须为月份" }).waitFor();
  await period.fill("2025-03");
  const notice = office.getByTestId("notice");
  await notice.waitFor();
  assert.equal(Number(await notice.getAttribute("data-rows")), cli.rows.length);
  const text = await notice.textContent();
  assert.ok(text.includes("2025-03 积分公示"), text.slice(0, 200));
  assert.ok(text.includes(cli.log.root), "the root at March's end, as the command line gives it");
  assert.ok(text.includes("已有签名检查点覆盖"));
  assert.ok(text.includes(cli.top[0].who));
  // Printed: the notice alone, on A4.
  await office.emulateMedia({ media: "print" });
  assert.equal(await office.locator("nav.tabs").isVisible(), false);
  assert.equal(await office.locator("#notice-period").isVisible(), false);
  await office.evaluate(() => window.scrollTo(0, 0));
  if (shots) await office.screenshot({ path: join(shots, "notice-a4.png"), fullPage: false });
  const pdf = join(dir, "notice.pdf");
  await writeFile(pdf, await office.pdf({ format: "A4", preferCSSPageSize: true }));
  const printed = renderedPdf(pdf);
  assert.ok(Math.abs(printed.page[0] - 210) < 2 && Math.abs(printed.page[1] - 297) < 2, JSON.stringify(printed));
  const [left, top, width] = printed.ink;
  assert.ok(left >= 12 && top >= 12 && left + width <= 198, `inside the margins: ${JSON.stringify(printed)}`);
  await stop(child);
});

test("the street office's reports: charts by month and area, the tables jifen report prints, and the CSV it writes", async () => {
  const dir = await mkdtemp(join(work, "reports-"));
  const logKey = community(dir, 1500);
  // What the command line writes for the year, before the service holds the log.
  const csv = (table) => run(["--lang", "zh", "report", "logs/community-1", "--period", "2025", "--csv", table], dir);
  const byActivity = csv("activity");
  const byArea = csv("area");
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  const office = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await office.goto(`${phoneAddress(port, policy)}&screen=audit#device=admin-1:${keys["admin-1"]}`);
  await verified(office);
  const reports = office.getByTestId("reports");
  await reports.getByLabel("报表期间（如 2026-11、2026-Q4 或 2026）").fill("2025");
  // Twelve bars by month, each with its value written on it; the areas' chart.
  const months = reports.locator("figure.chart").first();
  await months.locator("g.chart-bar").nth(11).waitFor();
  assert.equal(await months.locator("g.chart-bar").count(), 12);
  assert.match(await months.locator("svg").getAttribute("aria-label"), /^近 12 个月获得的积分: 2025-01 \d+/);
  const areaLines = byArea.trim().split("\r\n").length - 1;
  assert.equal(await reports.locator("figure.chart").nth(1).locator("g.chart-bar").count(), areaLines);
  // The table by activity has the command line's rows.
  const cliRows = byActivity.replace("\ufeff", "").trim().split("\r\n").slice(1).map((l) => l.split(","));
  const shown = await reports.getByTestId("report-activity").locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(shown, cliRows);
  if (shots) await reports.screenshot({ path: join(shots, "reports.png") });
  // Its CSV button saves exactly what `jifen report --csv` writes.
  const [download] = await Promise.all([
    office.waitForEvent("download"),
    reports.getByTestId("report-activity").getByRole("button", { name: /^下载 CSV/ }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "jifen-2025-activity.csv");
  assert.equal(await readFile(await download.path(), "utf8"), byActivity);
  await stop(child);
  await stop(w.child);
});

test("a new kiosk tablet makes its own key, the admin registers it through the log, and its kiosk screen opens", async () => {
  const dir = await mkdtemp(join(work, "register-"));
  const logKey = community(dir, 500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
  // The tablet is opened at the kiosk's address, holding no key.
  const tablet = await (await browser.newContext()).newPage();
  await tablet.goto(`${phoneAddress(port, policy)}&screen=kiosk`);
  await verified(tablet);
  await tablet.getByRole("heading", { name: "登记本机" }).waitFor();
  assert.equal(await tablet.getByLabel("居民编号（可扫码）").count(), 0, "no kiosk screen before registration");
  await tablet.getByRole("button", { name: "为本机生成密钥" }).click();
  const registration = await tablet.getByLabel("本机的登记信息").inputValue();
  assert.match(registration, /^jifen-device:kiosk-web-[0-9a-f]{6}:kiosk:[0-9a-f]{64}$/);
  await tablet.getByRole("img", { name: "本机登记二维码" }).waitFor();
  const id = registration.split(":")[1];
  if (shots) await tablet.screenshot({ path: join(shots, "log-device-setup.png"), fullPage: true });

  // The admin's device, on the same log, scans it into the register form.
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${phoneAddress(port, policy)}&screen=admin#device=admin-1:${keys["admin-1"]}`);
  await verified(admin);
  await unlock(admin);
  await admin.locator(".head-card .qr svg").waitFor();
  assert.match(await admin.locator(".head-card .head-text").inputValue(), /\?log=logs%2Fcommunity-1%2F&policy=/);
  const size = await logSize(port);
  await admin.getByLabel("操作者编号").fill(registration);
  assert.equal(await admin.getByLabel("操作者编号").inputValue(), id, "the scanned code fills the form");
  await admin.getByRole("button", { name: "登记", exact: true }).click();
  await admin.locator(".outcome.good").waitFor();
  assert.match(await admin.locator(".outcome.good").textContent(), /送往社区日志/);
  if (shots) await admin.screenshot({ path: join(shots, "admin-log-register.png"), fullPage: true });
  await waitFor("the registration in the log", async () => (await logSize(port)) === size + 1);

  // The tablet sees it through the log and opens its kiosk screen.
  await tablet.getByRole("heading", { name: "登记本机" }).waitFor({ state: "detached", timeout: 30_000 });
  await unlock(tablet);
  let receipt = null;
  for (let n = 1; !receipt && n < 40; n++) receipt = await redeem(tablet, `JX-${String(n).padStart(4, "0")}`);
  assert.ok(receipt, "some resident could redeem");
  await waitFor("the tablet's redeem in the log", async () => (await logSize(port)) === size + 2);
  const head = await deviceHead(port, id);
  assert.ok(head, "the log knows the new kiosk's entries");
  await stop(child);
  await stop(w.child);
});

test("the service killed in the middle of a kiosk's sync: after its restart every queued entry is in the log once", async () => {
  const dir = await mkdtemp(join(work, "killed-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  let child = await service(dir, policy, port);
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(tab);
  await unlock(tab);
  const before = await logSize(port);
  const seq = (await deviceHead(port, "kiosk-1")).dev_seq;
  await context.setOffline(true);
  let queued = 0;
  for (let n = 1; queued < 20 && n < 120; n++) {
    if ((await redeem(tab, `JX-${String(n).padStart(4, "0")}`)) !== null) queued += 1;
  }
  assert.equal(queued, 20);
  // The first sync reaches the service, which takes the entries and is
  // killed before its answer reaches the kiosk.
  let killed = null;
  await tab.route((url) => url.pathname.endsWith("/add"), async (route) => {
    if (killed === null) {
      killed = (async () => {
        await route.fetch();
        await stop(child);
      })();
      await killed;
      await route.abort("connectionreset");
      return;
    }
    await route.continue();
  });
  await context.setOffline(false);
  await waitFor("the sync that the kill interrupts", async () => killed !== null);
  await killed;
  await tab.locator(".outbox[data-waiting='20']").waitFor();
  child = await service(dir, policy, port);
  await tab.locator(".outbox").waitFor({ state: "detached", timeout: 60_000 });
  assert.equal(await logSize(port), before + 20, "every entry once");
  assert.equal((await deviceHead(port, "kiosk-1")).dev_seq, seq + 20);
  await context.close();
  await stop(child);
  await stop(w.child);
});

/// Presses Tab until the focused element passes `check` (at most 80 times).
async function tabTo(tab, check) {
  for (let i = 0; i < 80; i++) {
    await tab.keyboard.press("Tab");
    if (await tab.evaluate(check)) return;
  }
  assert.fail(`keyboard focus never reached ${check}`);
}

test("keyboard only, with the names a screen reader says: a kiosk redeems on the log, offline too, and a phone checks the receipt", async () => {
  const dir = await mkdtemp(join(work, "keyboard-"));
  const logKey = community(dir, 1500);
  const w = await witness(dir, logKey);
  const port = await freePort();
  const policy = policyText(logKey, w.key, w.port);
  const child = await service(dir, policy, port);
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.setViewportSize({ width: 1280, height: 800 });
  await tab.goto(await kioskAddress(dir, port, policy, "kiosk-1"));
  await verified(tab);
  await tabTo(tab, () => document.activeElement?.id === "pin");
  await tab.keyboard.type("2468");
  await tab.keyboard.press("Tab");
  await tab.keyboard.type("2468");
  await tab.keyboard.press("Enter");
  await tab.locator("#pin").waitFor({ state: "detached" });
  // A resident, a reward and the confirmation, by keyboard alone.
  const redeemByKeys = async () => {
    for (let n = 1; n < 120; n++) {
      await tabTo(tab, () => document.activeElement?.id === "resident-code");
      await tab.keyboard.press("Control+A");
      await tab.keyboard.type(`JX-${String(n).padStart(4, "0")}`);
      await tab.keyboard.press("Enter");
      await tab.getByTestId("balance").waitFor();
      if ((await tab.locator("button.reward:not([disabled])").count()) > 0) break;
    }
    await tabTo(tab, () => document.activeElement?.matches("button.reward"));
    await tab.keyboard.press("Enter");
    await tab.getByRole("dialog").waitFor();
    await tabTo(tab, () => document.activeElement?.textContent === "确认兑换");
    await tab.keyboard.press("Enter");
    return tab.getByRole("status").filter({ has: tab.getByTestId("receipt-actor") });
  };
  const receipt = await redeemByKeys();
  await receipt.getByText("已记入社区日志").waitFor({ timeout: 20_000 });
  const qr = tab.getByRole("img", { name: "收据二维码（日志证明）" });
  await qr.waitFor({ timeout: 20_000 });
  await tabTo(tab, () => document.activeElement?.textContent === "打印收据");
  // The receipt's proof, as its QR code carries it, for the phone.
  const proof = await tab.evaluate(async () => {
    const index = Number(document.querySelector("[data-testid=receipt-log]").textContent.match(/第 (\d+)/)[1]);
    return (await fetch(`logs/community-1/receipt/${index}?wait_ms=5000`)).text();
  });
  // Offline: the banner says so to a screen reader (a status, polite).
  await context.setOffline(true);
  const queued = await redeemByKeys();
  await queued.getByText("离线：已在本机排队").waitFor();
  const banner = tab.getByRole("status").filter({ hasText: "条记录在本机排队" });
  await banner.waitFor();
  assert.equal(await banner.getAttribute("aria-live"), "polite");
  await context.setOffline(false);
  await tab.locator(".outbox").waitFor({ state: "detached", timeout: 30_000 });

  // A phone checks the receipt by keyboard: the field and the button by name.
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(phoneAddress(port, policy));
  await verified(phone);
  await tabTo(phone, () => document.activeElement?.textContent === "核验");
  await phone.keyboard.press("Enter");
  await tabTo(phone, () => document.activeElement?.id === "receipt-text");
  await phone.keyboard.insertText(proof);
  await tabTo(phone, () => document.activeElement?.textContent === "核对");
  await phone.keyboard.press("Enter");
  const ok = phone.getByRole("status").filter({ hasText: "这条记录在社区日志中，未被改动" });
  await ok.waitFor();
  // The footer says whether the checkpoint is witnessed, in words.
  assert.match(await phone.locator("footer.head").textContent(), /已见证/);
  await context.close();
  await stop(child);
  await stop(w.child);
});
