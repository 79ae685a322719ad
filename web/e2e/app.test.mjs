// End-to-end tests of the served release bundle (JIFEN_DIST), with
// playwright-core driving Debian's /usr/bin/chromium, against a static
// server on 127.0.0.1 that this file starts and stops. Screenshots go to
// JIFEN_SCREENSHOTS at a phone size and a kiosk size.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const dist = process.env.JIFEN_DIST;
const shots = process.env.JIFEN_SCREENSHOTS;
// Files "published" by a test, served at their path instead of from dist.
const published = new Map();
let server;
let browser;
let context;
let base;

before(async () => {
  server = await serve(dist, published);
  base = server.base;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  // One browser profile for every test, like one device: its tabs share
  // the IndexedDB ledger.
  context = await browser.newContext();
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(size, url = base) {
  const tab = await context.newPage();
  await tab.setViewportSize(size);
  await tab.goto(url);
  return tab;
}

test("first run offers the demo; a resident is found by code and Enter, and the balance survives a reload", async () => {
  const tab = await open({ width: 390, height: 844 });
  await tab.getByRole("button", { name: "载入演示社区" }).click();
  const code = tab.getByLabel("居民编号（可扫码）");
  await code.waitFor();
  // A newcomer is told codes to try; this device holds the demo's keys,
  // so it has the writing screens, and an address can open one.
  assert.match(await tab.getByText("演示社区的居民编号，可以试试：").textContent(), /JX-0001/);
  assert.equal(await tab.getByRole("button", { name: "积分兑换" }).count(), 1);
  const kiosk = await open({ width: 1280, height: 800 }, `${base}?screen=kiosk`);
  const redeemTab = kiosk.getByRole("button", { name: "积分兑换" });
  await redeemTab.waitFor();
  assert.equal(await redeemTab.getAttribute("aria-pressed"), "true");
  await kiosk.close();
  await tab.screenshot({ path: join(shots, "resident-empty-phone.png") });
  // A USB scanner types the code and presses Enter.
  await code.fill("JX-0001");
  await code.press("Enter");
  const balance = tab.getByTestId("balance");
  await balance.waitFor();
  const shown = await balance.textContent();
  assert.match(shown, /^\d+(\.\d{1,2})?$/);
  assert.ok(await tab.getByRole("heading", { name: "积分明细" }).isVisible());
  // The 20 newest entries first; earlier ones on request.
  assert.equal(await tab.locator(".history li").count(), 20);
  await tab.screenshot({ path: join(shots, "resident-phone.png"), fullPage: true });
  await tab.getByRole("button", { name: "显示更早的记录" }).click();
  assert.ok((await tab.locator(".history li").count()) > 20);
  await tab.reload();
  await tab.getByLabel("居民编号（可扫码）").fill("JX-0001");
  await tab.getByRole("button", { name: "查询", exact: true }).click();
  assert.equal(await tab.getByTestId("balance").textContent(), shown);
  await tab.close();
});

test("an unknown resident gets a clear message", async () => {
  const tab = await open({ width: 390, height: 844 });
  const code = tab.getByLabel("居民编号（可扫码）");
  await code.fill("JX-9999");
  await code.press("Enter");
  assert.equal(await tab.getByRole("alert").textContent(), "查无此居民：JX-9999");
  await tab.close();
});

test("the language toggle and ?lang=en switch every string", async () => {
  const tab = await open({ width: 1280, height: 800 });
  await tab.getByRole("button", { name: "English" }).click();
  const code = tab.getByLabel("Resident code (type or scan)");
  await code.fill("JX-0002");
  await code.press("Enter");
  await tab.getByTestId("balance").waitFor();
  assert.ok(await tab.getByRole("heading", { name: "History" }).isVisible());
  assert.equal(await tab.locator("html").getAttribute("lang"), "en");
  await tab.screenshot({ path: join(shots, "resident-kiosk-en.png") });
  const english = await open({ width: 1280, height: 800 }, `${base}?lang=en`);
  await english.getByLabel("Resident code (type or scan)").waitFor();
  await english.getByRole("button", { name: "中文" }).click();
  await english.getByLabel("居民编号（可扫码）").waitFor();
  await english.screenshot({ path: join(shots, "resident-kiosk.png") });
  await english.close();
  await tab.close();
});

async function entryCount(tab) {
  const footer = await tab.locator("footer.head").textContent();
  return Number(footer.match(/(\d+) 条记录/)[1]);
}

// Entries this tab's profile keeps in IndexedDB.
async function storedEntries(tab) {
  return tab.evaluate(
    () =>
      new Promise((resolve) => {
        const request = indexedDB.open("jifen");
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains("entries")) return resolve(0);
          const count = db.transaction("entries").objectStore("entries").count();
          count.onsuccess = () => resolve(count.result);
        };
        request.onerror = () => resolve(0);
      }),
  );
}

const PIN = "2468";

/// Opens a writing screen: the device's PIN is chosen the first time, and
/// entered once per tab after that.
async function goWrite(tab, name) {
  await tab.getByRole("button", { name, exact: true }).click();
  const pin = tab.locator("#pin");
  try {
    await pin.waitFor({ timeout: 3000 });
  } catch {
    return; // already unlocked in this tab
  }
  await pin.fill(PIN);
  if ((await tab.locator("#pin-again").count()) > 0) await tab.locator("#pin-again").fill(PIN);
  await pin.press("Enter");
  await pin.waitFor({ state: "detached" });
}

async function kiosk(size) {
  const tab = await open(size);
  await goWrite(tab, "积分兑换");
  return tab;
}

async function lookUp(tab, code) {
  const input = tab.getByLabel("居民编号（可扫码）");
  await input.fill(code);
  await input.press("Enter");
}

/// Looks up residents from JX-{from} on until one can afford a reward.
async function residentWhoCanRedeem(tab, from) {
  for (let n = from; n < from + 50; n++) {
    await lookUp(tab, `JX-${String(n).padStart(4, "0")}`);
    if ((await tab.locator("button.reward:not([disabled])").count()) > 0) return;
  }
  assert.fail("no demo resident can afford a reward");
}

test("the kiosk redeems: the receipt shows the entry and the new balance, and a reload keeps it", async () => {
  const tab = await kiosk({ width: 1280, height: 800 });
  await residentWhoCanRedeem(tab, 3);
  const code = (await tab.locator(".kiosk .balance .label").textContent()).split(" ")[0];
  const before = Number(await tab.getByTestId("balance").textContent());
  const entries = await entryCount(tab);
  const reward = tab.locator("button.reward:not([disabled])").first();
  const cost = Number(await reward.locator(".points").textContent());
  await reward.click();
  await tab.getByRole("dialog").waitFor();
  await tab.screenshot({ path: join(shots, "kiosk-confirm.png") });
  await tab.getByRole("button", { name: "确认兑换" }).click();
  const balance = tab.getByTestId("receipt-balance");
  await balance.waitFor();
  assert.equal(Number(await balance.textContent()), before - cost);
  assert.equal(Number(await tab.getByTestId("receipt-seq").textContent()), entries);
  assert.equal(await entryCount(tab), entries + 1);
  await tab.screenshot({ path: join(shots, "kiosk-receipt.png") });
  await tab.reload();
  await lookUp(tab, code);
  assert.equal(Number(await tab.getByTestId("balance").textContent()), before - cost);
  assert.equal(await entryCount(tab), entries + 1);
  await tab.close();
});

test("a double tap on confirm redeems once", async () => {
  const tab = await kiosk({ width: 390, height: 844 });
  await residentWhoCanRedeem(tab, 60);
  const entries = await entryCount(tab);
  await tab.locator("button.reward:not([disabled])").first().click();
  await tab.getByRole("button", { name: "确认兑换" }).dblclick();
  await tab.getByTestId("receipt-balance").waitFor();
  assert.equal(await entryCount(tab), entries + 1);
  await tab.screenshot({ path: join(shots, "kiosk-receipt-phone.png") });
  await tab.close();
});

test("an overdraft cannot be chosen and says why; an unknown resident gets a message", async () => {
  const tab = await kiosk({ width: 390, height: 844 });
  let found = false;
  for (let n = 5; n < 40 && !found; n++) {
    await lookUp(tab, `JX-${String(n).padStart(4, "0")}`);
    const balance = Number(await tab.getByTestId("balance").textContent());
    if (balance < 60) {
      const rice = tab.getByRole("button", { name: /^兑换 大米 5kg/ });
      assert.ok(await rice.isDisabled());
      assert.equal(await rice.locator("xpath=following-sibling::span").textContent(), "积分不足");
      found = true;
    }
  }
  assert.ok(found, "some demo resident has under 60 points");
  const entries = await entryCount(tab);
  await lookUp(tab, "JX-9999");
  assert.equal(await tab.getByRole("alert").textContent(), "查无此居民：JX-9999");
  assert.equal(await entryCount(tab), entries);
  await tab.close();
});

async function balanceOf(tab, code) {
  await tab.getByRole("button", { name: "居民查询" }).click();
  await lookUp(tab, code);
  return Number(await tab.getByTestId("balance").textContent());
}

test("an officer records points for a list of residents, the cap refuses the extra one, the kiosk redeems, a reload keeps it all", async () => {
  const tab = await open({ width: 390, height: 844 });
  const before = await balanceOf(tab, "JX-0020");
  const sorterBefore = await balanceOf(tab, "JX-0022");
  await goWrite(tab, "活动记录");
  await tab.getByLabel("居民编号（每行一个，可连续扫码）").fill("JX-0020\nJX-0020\nJX-0021");
  await tab.getByRole("radio", { name: /平安巡查/ }).check();
  await tab.getByRole("button", { name: "记录积分" }).click();
  const outcomes = tab.locator(".outcomes li");
  await outcomes.first().waitFor();
  const texts = await outcomes.allTextContents();
  assert.equal(texts.length, 3);
  assert.equal(texts.filter((text) => text.includes("已记录")).length, 3, texts.join(" / "));
  await tab.screenshot({ path: join(shots, "officer-phone.png"), fullPage: true });
  // Garbage sorting: 1 point, at most 2 a day; the third is refused.
  await tab.getByLabel("居民编号（每行一个，可连续扫码）").fill("JX-0022 JX-0022 JX-0022 JX-9999");
  await tab.getByRole("radio", { name: /垃圾分类/ }).check();
  await tab.getByRole("button", { name: "记录积分" }).click();
  await tab.locator(".outcomes li.error").first().waitFor();
  const capped = await tab.locator(".outcomes li").allTextContents();
  assert.equal(capped.filter((text) => text.includes("已记录")).length, 2, capped.join(" / "));
  assert.ok(capped.some((text) => text.includes("超过每日上限")), capped.join(" / "));
  assert.ok(capped.some((text) => text.includes("查无此居民：JX-9999")), capped.join(" / "));
  assert.equal(await balanceOf(tab, "JX-0020"), before + 10);
  // The kiosk redeems for JX-0020; a reload keeps every change.
  await goWrite(tab, "积分兑换");
  await lookUp(tab, "JX-0020");
  const reward = tab.locator("button.reward:not([disabled])").first();
  const cost = Number(await reward.locator(".points").textContent());
  await reward.click();
  await tab.getByRole("button", { name: "确认兑换" }).click();
  await tab.getByTestId("receipt-balance").waitFor();
  await tab.reload();
  assert.equal(await balanceOf(tab, "JX-0020"), before + 10 - cost);
  assert.equal(await balanceOf(tab, "JX-0022"), sorterBefore + 2);
  await tab.close();
});

test("an officer reverses an entry once, with a reason", async () => {
  const tab = await open({ width: 1280, height: 800 });
  const before = await balanceOf(tab, "JX-0030");
  await goWrite(tab, "活动记录");
  await tab.getByLabel("居民编号（每行一个，可连续扫码）").fill("JX-0030");
  await tab.getByRole("radio", { name: /志愿服务/ }).check();
  await tab.getByRole("button", { name: "记录积分" }).click();
  const recorded = await tab.locator(".outcomes li").first().textContent();
  const seq = recorded.match(/记录号 (\d+)/)[1];
  await tab.getByLabel("记录号").fill(seq);
  await tab.getByLabel("冲正原因").fill("录入错误");
  await tab.getByRole("button", { name: "冲正", exact: true }).click();
  await tab.locator(".outcomes li", { hasText: "已冲正" }).waitFor();
  await tab.screenshot({ path: join(shots, "officer-reverse.png") });
  await tab.getByRole("button", { name: "冲正", exact: true }).click();
  await tab.locator(".outcomes li.error", { hasText: "已被第" }).waitFor();
  assert.equal(await balanceOf(tab, "JX-0030"), before);
  await tab.close();
});

async function exportLedger(tab) {
  await tab.getByRole("button", { name: "核验" }).click();
  const [download] = await Promise.all([
    tab.waitForEvent("download"),
    tab.getByRole("button", { name: "导出账本文件（JSON Lines）" }).click(),
  ]);
  return readFile(await download.path(), "utf8");
}

test("a device clock behind the last entry, or far ahead of it, is named on the writing screens", async () => {
  // The tests above wrote entries at the real time; these tabs' clocks are
  // moved (Date.now, as the app reads it).
  const skewed = async (offsetMs) => {
    const tab = await context.newPage();
    await tab.addInitScript((offset) => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + offset;
    }, offsetMs);
    await tab.setViewportSize({ width: 1280, height: 800 });
    await tab.goto(base);
    await goWrite(tab, "积分兑换");
    return tab;
  };
  const behind = await skewed(-2 * 3_600_000);
  const late = behind.getByRole("alert").filter({ hasText: "本机时钟比账本最后一条记录早" });
  await late.waitFor();
  assert.match(await late.textContent(), /早 1[12]\d 分钟/);
  await behind.screenshot({ path: join(shots, "clock-behind.png") });
  await behind.close();
  const ahead = await skewed(400 * 86_400_000);
  await ahead.getByRole("alert").filter({ hasText: "本机时钟比账本最后一条记录晚 400 天" }).waitFor();
  await ahead.close();
  const right = await kiosk({ width: 1280, height: 800 });
  await right.getByLabel("居民编号（可扫码）").waitFor();
  assert.equal(await right.getByText("本机时钟").count(), 0);
  await right.close();
});

test("the audit screen shows the head; a tampered import is refused with its seq and the old data stays", async () => {
  const tab = await open({ width: 1280, height: 800 });
  const exported = await exportLedger(tab);
  const lines = exported.trimEnd().split("\n");
  const head = await tab.getByLabel("当前账本头（可抄写或打印公布）").inputValue();
  const last = JSON.parse(lines.at(-1));
  assert.equal(head, `${last.seq}:${last.hash}`);
  const entries = await entryCount(tab);
  assert.equal(entries, lines.length);
  const tampered = [...lines];
  tampered[100] = tampered[100].replace(/"ts":(\d+)/, (_, ts) => `"ts":${Number(ts) + 1}`);
  await tab.getByLabel("导入账本文件（先校验，通过才替换）").setInputFiles({
    name: "tampered.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(tampered.join("\n") + "\n"),
  });
  const refusal = tab.getByRole("alert");
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /浏览器中的账本没有任何改变：seq 100：哈希不符/);
  assert.equal(await entryCount(tab), entries);
  await tab.screenshot({ path: join(shots, "audit-refused.png") });
  await tab.getByLabel("导入账本文件（先校验，通过才替换）").setInputFiles({
    name: "good.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(exported),
  });
  await tab.getByText(`已导入并校验：${entries} 条记录`).waitFor();
  await tab.getByRole("combobox", { name: "类型" }).selectOption("redeem");
  assert.ok((await tab.locator("table.entries tbody tr").count()) > 0);
  assert.deepEqual(new Set(await tab.locator("table.entries tbody td:nth-child(3)").allTextContents()), new Set(["redeem"]));
  await tab.close();
});

// Resolves when `ready()` (run in the page) is true; polls every 100 ms.
async function until(tab, ready, arg) {
  for (let waited = 0; !(await tab.evaluate(ready, arg)); waited += 100) {
    if (waited > 30_000) throw new Error("timed out");
    await tab.waitForTimeout(100);
  }
}

// Whether the app has kept a snapshot of the ledger in IndexedDB.
const hasSnapshot = () =>
  new Promise((resolve) => {
    const request = indexedDB.open("jifen");
    request.onsuccess = () => {
      const count = request.result.transaction("device").objectStore("device").count("snapshot");
      count.onsuccess = () => {
        request.result.close();
        resolve(count.result === 1);
      };
    };
    request.onerror = () => resolve(false);
  });

test("a reopen shows the balances kept in a snapshot, then the history; a snapshot that does not add up to the entries is caught and replaced", async () => {
  const tab = await open({ width: 390, height: 844 });
  const verified = tab.locator('footer.head[data-checked="verified"]');
  await verified.waitFor();
  await until(tab, hasSnapshot);
  const lookUp = async () => {
    const code = tab.getByLabel("居民编号（可扫码）");
    await code.fill("JX-0001");
    await code.press("Enter");
    await tab.getByTestId("balance").waitFor();
  };
  await lookUp();
  const balance = await tab.getByTestId("balance").textContent();
  const history = await tab.locator(".history li").allTextContents();
  assert.ok(history.length > 0);
  await tab.reload();
  await lookUp();
  assert.equal(await tab.getByTestId("balance").textContent(), balance);
  await tab.locator(".history li").first().waitFor();
  assert.deepEqual(await tab.locator(".history li").allTextContents(), history);
  await verified.waitFor();
  assert.equal(await tab.getByRole("alert").count(), 0);

  // Someone with access to the browser's storage gives JX-0001 999999
  // points in the snapshot and makes its digest again.
  await tab.evaluate(async (code) => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("jifen");
      request.onsuccess = () => resolve(request.result);
      request.onerror = reject;
    });
    const stored = await new Promise((resolve) => {
      const get = db.transaction("device").objectStore("device").get("snapshot");
      get.onsuccess = () => resolve(get.result);
    });
    const bytes = new Uint8Array(stored);
    const view = new DataView(bytes.buffer);
    const name = new TextEncoder().encode(code);
    let at = -1;
    search: for (let i = 0; i + 4 + name.length <= bytes.length; i++) {
      if (view.getUint32(i, true) !== name.length) continue;
      for (let k = 0; k < name.length; k++) if (bytes[i + 4 + k] !== name[k]) continue search;
      at = i + 4 + name.length;
      break;
    }
    // Past the household and area (length-prefixed) and the active flag:
    // the balance, a 16-byte mantissa and a scale.
    for (let field = 0; field < 2; field++) at += 4 + view.getUint32(at, true);
    at += 1;
    bytes.fill(0, at, at + 17);
    view.setUint32(at, 999999, true);
    const digest = await crypto.subtle.digest("SHA-256", bytes.subarray(0, bytes.length - 32));
    bytes.set(new Uint8Array(digest), bytes.length - 32);
    await new Promise((resolve) => {
      const put = db.transaction("device", "readwrite");
      put.objectStore("device").put(bytes, "snapshot");
      put.oncomplete = resolve;
    });
    db.close();
  }, "JX-0001");
  await tab.reload();
  await lookUp();
  // Once the entries are replayed the difference is named loudly and the
  // balance is the one the entries add up to.
  const alarm = tab.getByRole("alert").filter({ hasText: "余额摘要与账本记录不一致" });
  await alarm.waitFor();
  await verified.waitFor();
  assert.equal(await tab.getByTestId("balance").textContent(), balance);
  // The app keeps a fresh snapshot; the next reopen is quiet.
  await tab.waitForTimeout(1500);
  await tab.reload();
  await lookUp();
  await verified.waitFor();
  assert.equal(await tab.getByTestId("balance").textContent(), balance);
  assert.equal(await alarm.count(), 0);
  await tab.close();
});

// Changes the browser's stored record of entry `seq`: `change` is the new
// record, or `[from, to]` to replace text in it.
async function damageRecord(tab, seq, change) {
  await tab.evaluate(
    ([seq, change]) =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open("jifen");
        request.onsuccess = () => {
          const db = request.result;
          const store = db.transaction("entries", "readwrite").objectStore("entries");
          const get = store.get(seq);
          get.onsuccess = () => {
            const record = typeof change === "string" ? change : get.result.replace(change[0], change[1]);
            store.put(record, seq).onsuccess = () => {
              db.close();
              resolve();
            };
          };
          get.onerror = reject;
        };
        request.onerror = reject;
      }),
    [seq, change],
  );
}

test("a corrupt record in IndexedDB is named, no balance is shown, and a re-import brings the ledger back", async () => {
  const tab = await open({ width: 390, height: 844 });
  const exported = await exportLedger(tab);
  await damageRecord(tab, 50, ['"v":1', '"v":1 ']);
  await tab.reload();
  const alert = tab.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.textContent(), /^seq 50：/);
  // Nothing to look a resident up with, so no balance that may be wrong.
  assert.equal(await tab.getByLabel("居民编号（可扫码）").count(), 0);
  assert.equal(await tab.getByRole("button", { name: "居民查询" }).count(), 0);
  await tab.screenshot({ path: join(shots, "corrupt-phone.png") });
  await tab.getByLabel("导入账本文件（先校验，通过才替换）").setInputFiles({
    name: "good.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(exported),
  });
  await tab.getByRole("button", { name: "居民查询" }).waitFor();
  await tab.close();
});

test("two tabs: the one that writes second is told, reloads the new state, and the chain does not fork", async () => {
  const first = await open({ width: 390, height: 844 });
  const second = await open({ width: 390, height: 844 });
  const entries = await entryCount(first);
  assert.equal(await entryCount(second), entries);
  for (const tab of [first, second]) await goWrite(tab, "活动记录");
  const record = async (tab, code) => {
    const shown = tab.locator(".outcomes li").first();
    const previous = (await shown.count()) > 0 ? await shown.textContent() : null;
    await tab.getByLabel("居民编号（每行一个，可连续扫码）").fill(code);
    await tab.getByRole("radio", { name: /平安巡查/ }).check();
    await tab.getByRole("button", { name: "记录积分" }).click();
    // Wait for this submission's outcome, not the one before it.
    await tab.waitForFunction((before) => {
      const line = document.querySelector(".outcomes li");
      return line !== null && line.textContent !== before;
    }, previous);
    return shown.textContent();
  };
  assert.match(await record(first, "JX-0040"), /已记录/);
  // The second tab still holds the old ledger: its write is refused.
  assert.match(await record(second, "JX-0041"), /另一个窗口或设备已先写入/);
  assert.equal(await entryCount(second), entries + 1);
  assert.equal(await second.getByLabel("居民编号（每行一个，可连续扫码）").inputValue(), "JX-0041");
  assert.match(await record(second, "JX-0041"), /已记录/);
  await first.reload();
  assert.equal(await entryCount(first), entries + 2);
  await first.close();
  await second.close();
});

test("a resident's phone follows the published ledger: fetched and verified, then only new entries; a rewritten history is refused loudly and the stored copy kept", async () => {
  const office = await open({ width: 1280, height: 800 });
  const lines = (await exportLedger(office)).trimEnd().split("\n");
  await office.close();
  const file = (n) => lines.slice(0, n).join("\n") + "\n";
  // A phone: its own browser profile, so its own IndexedDB.
  const phone = await browser.newContext();
  const tab = await phone.newPage();
  await tab.setViewportSize({ width: 390, height: 844 });
  const url = `${base}?ledger=${encodeURIComponent("pub/ledger.jsonl")}`;
  published.set("pub/ledger.jsonl", file(4000));
  await tab.goto(url);
  await tab.getByText("已从公布的账本取得并校验新记录：4000").waitFor();
  assert.equal(await entryCount(tab), 4000);
  // A phone holds no key: the resident's screens only, even when an
  // address names a writing one.
  for (const writing of ["积分兑换", "活动记录", "管理"]) {
    assert.equal(await tab.getByRole("button", { name: writing, exact: true }).count(), 0, writing);
  }
  const asKiosk = await phone.newPage();
  await asKiosk.goto(`${url}&screen=kiosk`);
  await asKiosk.getByLabel("居民编号（可扫码）").waitFor();
  assert.equal(await asKiosk.getByRole("button", { name: "积分兑换" }).count(), 0);
  await asKiosk.close();
  await tab.getByRole("button", { name: "核验" }).click();
  await tab.getByText("已校验：每条记录的哈希链、签名和规则都通过").waitFor();
  // Stored once every signature held.
  await tab.locator('footer.head[data-checked="verified"]').waitFor();
  // The office publishes more: only the new entries are fetched into the
  // stored copy, and the balance is the one the full file gives.
  published.set("pub/ledger.jsonl", file(lines.length));
  await tab.reload();
  await tab.getByText(`已从公布的账本取得并校验新记录：${lines.length - 4000}`).waitFor();
  assert.equal(await entryCount(tab), lines.length);
  await tab.getByRole("button", { name: "核验" }).click();
  await tab.getByText("已校验：每条记录的哈希链、签名和规则都通过").waitFor();
  await tab.locator('footer.head[data-checked="verified"]').waitFor();
  const balance = await balanceOf(tab, "JX-0020");
  await tab.screenshot({ path: join(shots, "follow-phone.png"), fullPage: true });
  // Nothing new: no notice, same ledger, also with the network file gone.
  await tab.reload();
  await tab.getByRole("button", { name: "居民查询" }).waitFor();
  assert.equal(await tab.locator(".notice").count(), 0);
  // Someone rewrites entry 100 of the published file: refused loudly, the
  // stored copy stays, balances unchanged.
  const rewritten = [...lines];
  rewritten[100] = rewritten[100].replace(/"ts":(\d+)/, (_, ts) => `"ts":${Number(ts) + 1}`);
  published.set("pub/ledger.jsonl", rewritten.join("\n") + "\n");
  await tab.reload();
  const alarm = tab.locator(".notice.alarm");
  await alarm.waitFor();
  assert.match(await alarm.textContent(), /公布的账本改写了历史！从第 100 条起与本机保存的副本不同。已拒绝，本机副本保持不变/);
  assert.equal(await alarm.getAttribute("role"), "alert");
  assert.equal(await entryCount(tab), lines.length);
  assert.equal(await balanceOf(tab, "JX-0020"), balance);
  await tab.screenshot({ path: join(shots, "follow-rewritten-phone.png") });
  // A file with a bad new entry: refused naming it, the stored copy kept.
  const extra = [...lines, lines.at(-1)];
  published.set("pub/ledger.jsonl", extra.join("\n") + "\n");
  await tab.reload();
  await alarm.waitFor();
  assert.match(await alarm.textContent(), new RegExp(`公布的账本新增记录未通过校验：seq ${lines.length}：`));
  assert.equal(await entryCount(tab), lines.length);
  // An address that is not there, with a stored copy: said, copy shown.
  published.delete("pub/ledger.jsonl");
  await tab.reload();
  await tab.locator(".notice.warning", { hasText: "无法读取公布的账本" }).waitFor();
  assert.equal(await entryCount(tab), lines.length);
  // The phone's own copy gets damaged: no balances; it offers to follow
  // the published file again, which brings everything back.
  published.set("pub/ledger.jsonl", file(lines.length));
  await damageRecord(tab, 70, "{}");
  await tab.reload();
  const refollow = tab.getByRole("button", { name: "重新获取并校验公布的账本" });
  await refollow.waitFor();
  assert.match(await tab.getByRole("alert").first().textContent(), /^seq 70：/);
  assert.equal(await tab.getByLabel("居民编号（可扫码）").count(), 0);
  await refollow.click();
  await tab.locator('footer.head[data-checked="verified"]').waitFor();
  assert.equal(await entryCount(tab), lines.length);
  assert.equal(await balanceOf(tab, "JX-0020"), balance);
  await phone.close();
});

test("a first visit to a published file with a forged entry refuses it, naming its seq, and stores nothing", async () => {
  const office = await open({ width: 1280, height: 800 });
  const lines = (await exportLedger(office)).trimEnd().split("\n");
  await office.close();
  // A phone that has never opened the app: the worker downloads the file
  // and checks each line's SHA-256 while the page replays it. Entry 2500's
  // time is changed but not its hash.
  const forged = [...lines];
  forged[2500] = forged[2500].replace(/"ts":(\d+)/, (_, ts) => `"ts":${Number(ts) + 1}`);
  assert.notEqual(forged[2500], lines[2500]);
  published.set("forged/ledger.jsonl", forged.join("\n") + "\n");
  const phone = await browser.newContext();
  const tab = await phone.newPage();
  await tab.setViewportSize({ width: 390, height: 844 });
  await tab.goto(`${base}?ledger=${encodeURIComponent("forged/ledger.jsonl")}`);
  const alert = tab.getByRole("alert").first();
  await alert.waitFor();
  assert.match(await alert.textContent(), /^seq 2500：/);
  assert.equal(await tab.getByLabel("居民编号（可扫码）").count(), 0);
  assert.equal(await storedEntries(tab), 0);
  // The same file unforged: opened, every entry there.
  published.set("forged/ledger.jsonl", lines.join("\n") + "\n");
  await tab.reload();
  await tab.locator('footer.head[data-checked="verified"]').waitFor();
  assert.equal(await entryCount(tab), lines.length);
  await phone.close();
});

// The crafted-signature fixtures of `ledger_core::testing` (JIFEN_CRAFTED,
// written by `cargo xtask` with each file's verdict): a phone's first
// visit, its signatures checked in the workers' batches of 2,048, reaches
// the verdict every other verifier reaches.
test("crafted signatures get the one documented verdict on a phone's first visit", async () => {
  const dir = process.env.JIFEN_CRAFTED;
  assert.ok(dir, "JIFEN_CRAFTED names the fixtures' folder");
  const expected = JSON.parse(await readFile(join(dir, "expected.json"), "utf8"));
  for (const fixture of expected) {
    const path = `crafted/${fixture.name}.jsonl`;
    published.set(path, await readFile(join(dir, `${fixture.name}.jsonl`)));
    const phone = await browser.newContext();
    const tab = await phone.newPage();
    await tab.goto(`${base}?ledger=${encodeURIComponent(path)}`);
    if (fixture.ok) {
      await tab.locator('footer.head[data-checked="verified"]').waitFor();
      assert.equal(await entryCount(tab), fixture.entries, fixture.name);
    } else {
      const alert = tab.getByRole("alert").first();
      await alert.waitFor();
      assert.match(await alert.textContent(), new RegExp(`^seq ${fixture.seq}：`), fixture.name);
      assert.equal(await storedEntries(tab), 0, fixture.name);
    }
    published.delete(path);
    await phone.close();
  }
});

test("the admin screen: a PIN guards it; the head as text and QR code; a resident, a reward with stock and a new device key are written; bad input changes nothing", async () => {
  const tab = await open({ width: 390, height: 844 });
  await tab.getByRole("button", { name: "管理", exact: true }).click();
  // The PIN was chosen by an earlier test on this device: a wrong one is refused.
  const pin = tab.locator("#pin");
  await pin.waitFor();
  await tab.screenshot({ path: join(shots, "pin-phone.png") });
  await pin.fill("0000");
  await pin.press("Enter");
  await tab.getByText("PIN 不正确").waitFor();
  assert.equal(await tab.locator(".admin").count(), 0);
  await pin.fill(PIN);
  await pin.press("Enter");
  await tab.locator(".admin").waitFor();
  const head = await tab.getByLabel("当前账本头（可抄写或打印公布）").inputValue();
  assert.match(head, /^\d+:[0-9a-f]{64}$/);
  assert.match(await tab.locator("footer.head").textContent(), new RegExp(`账本头 ${head.split(":")[0]} · ${head.split(":")[1].slice(0, 12)}`));
  assert.equal(await tab.locator(".qr svg").count(), 1);
  await tab.screenshot({ path: join(shots, "admin-phone.png"), fullPage: true });
  const entries = await entryCount(tab);
  // A new resident.
  await tab.locator("#resident-code").fill("JX-0999");
  await tab.locator("#resident-household").fill("H-0999");
  await tab.locator("#resident-area").fill("B-09");
  await tab.locator("form", { has: tab.locator("#resident-code") }).getByRole("button", { name: "保存" }).click();
  await tab.getByText(`已写入账本，记录号 ${entries}`).waitFor();
  assert.notEqual(await tab.getByLabel("当前账本头（可抄写或打印公布）").inputValue(), head);
  // A reward and its stock.
  await tab.locator("#reward-id").fill("teapot");
  await tab.locator("#reward-name").fill("茶壶");
  await tab.locator("#reward-cost").fill("12.5");
  await tab.locator("form", { has: tab.locator("#reward-id") }).getByRole("button", { name: "保存" }).click();
  await tab.getByText(`已写入账本，记录号 ${entries + 1}`).waitFor();
  await tab.locator("#stock-reward").fill("teapot");
  await tab.locator("#stock-delta").fill("20");
  await tab.locator("#stock-note").fill("到货");
  await tab.getByRole("button", { name: "记录库存" }).click();
  await tab.getByText(`已写入账本，记录号 ${entries + 2}`).waitFor();
  assert.match(await tab.locator("tr", { hasText: "茶壶" }).textContent(), /12\.5.*库存 20/);
  // Taking out more than there is: refused by the rules, nothing written.
  await tab.locator("#stock-delta").fill("-21");
  await tab.getByRole("button", { name: "记录库存" }).click();
  await tab.locator(".outcome.error").waitFor();
  assert.equal(await entryCount(tab), entries + 3);
  // A bad public key: refused, nothing written.
  await tab.locator("#actor-id").fill("kiosk-2b");
  await tab.locator("#actor-key").fill("xyz");
  await tab.getByRole("button", { name: "登记", exact: true }).click();
  await tab.locator(".outcome.error", { hasText: "pubkey" }).waitFor();
  assert.equal(await entryCount(tab), entries + 3);
  // A new kiosk key made on this device, registered, then retired.
  await tab.getByRole("button", { name: "为兑换终端生成新密钥" }).click();
  await tab.getByRole("button", { name: "填入下方登记表" }).click();
  const newId = await tab.locator("#actor-id").inputValue();
  assert.match(newId, /^kiosk-web-[0-9a-f]{6}$/);
  await tab.getByRole("button", { name: "登记", exact: true }).click();
  await tab.getByText(`已写入账本，记录号 ${entries + 3}`).waitFor();
  const row = tab.locator("tr", { hasText: newId });
  await row.getByRole("button", { name: "停用" }).click();
  await row.getByRole("button", { name: "重新启用" }).waitFor();
  await tab.setViewportSize({ width: 1280, height: 800 });
  await tab.screenshot({ path: join(shots, "admin-kiosk.png") });
  // The new resident is there for everyone, with nothing yet.
  assert.equal(await balanceOf(tab, "JX-0999"), 0);
  // Locking asks for the PIN again.
  await tab.getByRole("button", { name: "锁定" }).click();
  await tab.getByRole("button", { name: "管理", exact: true }).click();
  await tab.locator("#pin").waitFor();
  await tab.close();
});

/// Presses Tab until the focused element passes `check` (at most 80 times).
async function tabTo(tab, check) {
  for (let i = 0; i < 80; i++) {
    await tab.keyboard.press("Tab");
    if (await tab.evaluate(check)) return;
  }
  assert.fail(`keyboard focus never reached ${check}`);
}

test("keyboard only: unlock, look a resident up, pick a reward, confirm, get the receipt", async () => {
  const tab = await open({ width: 1280, height: 800 });
  await tab.locator("nav.tabs").waitFor();
  await tabTo(tab, () => document.activeElement?.textContent === "积分兑换");
  await tab.keyboard.press("Enter");
  await tab.locator("#pin").waitFor();
  await tabTo(tab, () => document.activeElement?.id === "pin");
  await tab.keyboard.type(PIN);
  await tab.keyboard.press("Enter");
  await tab.locator("#pin").waitFor({ state: "detached" });
  const entries = await entryCount(tab);
  for (let n = 100; n < 150; n++) {
    await tabTo(tab, () => document.activeElement?.tagName === "INPUT");
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
  await tab.getByTestId("receipt-balance").waitFor();
  assert.equal(await entryCount(tab), entries + 1);
  await tab.close();
});

test("a full disk: loading the demo on a new device is refused with a clear message and nothing is stored; with room, it loads", async () => {
  // A new device whose browser storage quota is far below what the demo needs.
  const device = await browser.newContext();
  const tab = await device.newPage();
  await tab.setViewportSize({ width: 390, height: 844 });
  const cdp = await device.newCDPSession(tab);
  const origin = new URL(base).origin;
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 1000 });
  await tab.goto(base);
  await tab.getByRole("button", { name: "载入演示社区" }).click();
  const alert = tab.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.textContent(), /浏览器的存储空间已满，这次没有写入任何内容/);
  await tab.screenshot({ path: join(shots, "storage-full-phone.png") });
  await tab.reload();
  await tab.getByRole("button", { name: "载入演示社区" }).waitFor();
  // Room again: the demo loads and survives a reload.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  await tab.getByRole("button", { name: "载入演示社区" }).click();
  await tab.getByLabel("居民编号（可扫码）").waitFor();
  await tab.reload();
  await tab.locator('footer.head[data-checked="verified"]').waitFor();
  await device.close();
});

test("a tab killed in the middle of a redeem: the stored ledger still verifies and holds the entry whole or not at all", async () => {
  for (const [round, delay] of [0, 3, 8, 15, 30, 60].entries()) {
    const tab = await kiosk({ width: 390, height: 844 });
    await residentWhoCanRedeem(tab, 100 + 15 * round);
    const entries = await entryCount(tab);
    await tab.locator("button.reward:not([disabled])").first().click();
    const cdp = await context.newCDPSession(tab);
    const confirm = tab.getByRole("button", { name: "确认兑换" });
    await confirm.click({ noWaitAfter: true });
    await new Promise((resolve) => setTimeout(resolve, delay));
    // The renderer dies at once; the command itself never answers.
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    await Promise.race([cdp.send("Page.crash").catch(() => {}), pause(1000)]);
    await Promise.race([tab.close().catch(() => {}), pause(5000)]);
    const after = await open({ width: 390, height: 844 });
    await after.locator('footer.head[data-checked="verified"]').waitFor();
    const now = await entryCount(after);
    assert.ok(now === entries || now === entries + 1, `after a kill at ${delay} ms: ${now} entries, was ${entries}`);
    await after.close();
  }
});
