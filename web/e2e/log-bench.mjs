// Web benchmarks of the app as a device of a community's log (`cargo xtask
// web-bench`, after bench.mjs): the real `jifen serve` (JIFEN_BIN) on a
// demo log (JIFEN_BENCH_LOG: its directory, with logs/ and keys/), in
// headless Chromium. Prints a phone's first open through the log's tiles
// (beside a plain download of the same leaves in the same run), its
// reopen, a receipt's check, a kiosk's tap to receipt online and offline,
// and 500 queued entries synced.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { chromium } from "playwright-core";

const dist = process.env.JIFEN_DIST;
const jifen = process.env.JIFEN_BIN;
const dir = process.env.JIFEN_BENCH_LOG;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const report = (what, value, unit, target) =>
  console.log(`web bench (log): ${what}: ${unit === "ms" ? value.toFixed(0) : value} ${unit}${target ? ` (target: under ${target} ${unit})` : ""}`);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await freePort();
const vkey = (await readFile(join(dir, "logs", "community-1", "vkey"), "utf8")).trim();
const policy = `log ${vkey}\nquorum none\n`;
const service = spawn(jifen, ["serve", "--dir", "logs", "--keys", "keys", "--web", dist, "--listen", `127.0.0.1:${port}`, "--interval-ms", "100", "--idle-s", "1"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
await new Promise((resolve, reject) => {
  let seen = "";
  service.stdout.on("data", (data) => {
    seen += data;
    if (seen.includes("listening on")) resolve();
  });
  service.on("exit", (code) => reject(new Error(`jifen serve ended (${code})`)));
});
const origin = `http://127.0.0.1:${port}`;
const phone = `${origin}/?log=logs/community-1/&policy=${encodeURIComponent(Buffer.from(policy).toString("base64"))}`;
const keys = JSON.parse(await readFile(join(dir, "keys", "community-1.json"), "utf8"));
const size = (await (await fetch(`${origin}/logs`)).json())[0].size;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

// A mark at the first frame after the footer shows every leaf (the
// balances drawn), on the page's own clock.
const drawnMark = (count) => `new MutationObserver((_, observer) => {
  const footer = document.querySelector("footer.head");
  if (footer && footer.textContent.includes("${count} 条记录")) {
    observer.disconnect();
    requestAnimationFrame(() => performance.mark("bench:balances-drawn"));
  }
}).observe(document, { subtree: true, childList: true, characterData: true });`;

// Waits in the page, in one call: polling from here would take the CPU
// that the page being measured needs.
async function drawnAt(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const mark = () => performance.getEntriesByName("bench:balances-drawn", "mark")[0]?.startTime;
        if (mark() !== undefined) return resolve(mark());
        new PerformanceObserver((_, observer) => {
          if (mark() === undefined) return;
          observer.disconnect();
          resolve(mark());
        }).observe({ type: "mark" });
        setTimeout(() => resolve(NaN), 10_000);
      }),
  );
}

async function settledTab(context) {
  const page = await context.newPage();
  await page.goto("about:blank");
  await page.waitForTimeout(300);
  return page;
}

// In the page: taps the confirm button and resolves, on the page's clock,
// when the receipt shows.
const tapToReceipt = () =>
  new Promise((resolve) => {
    const start = performance.now();
    new MutationObserver((_, observer) => {
      if (document.querySelector(".receipt [data-testid=receipt-actor]")) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    }).observe(document, { subtree: true, childList: true });
    [...document.querySelectorAll(".confirm button.primary")][0].click();
  });

async function pickReward(page, code) {
  const field = page.getByLabel("居民编号（可扫码）");
  await field.fill(code);
  await field.press("Enter");
  await page.locator(".balance .label", { hasText: code }).waitFor();
  const rewards = page.locator("button.reward:not([disabled])");
  if ((await rewards.count()) === 0) return false;
  await rewards.first().click();
  await page.locator(".confirm").waitFor();
  return true;
}

try {
  // The anchor: the same leaves downloaded by a page, nothing done with them.
  const anchorContext = await browser.newContext();
  const anchorPage = await settledTab(anchorContext);
  await anchorPage.goto(`${origin}/logs`);
  // Twice: the service gzips each full range once and keeps it, so the
  // second download is what every phone after the first gets.
  const download = (size) => anchorPage.evaluate(async (size) => {
    const start = performance.now();
    const parts = [];
    for (let at = 0; at < size; at += 16384) {
      parts.push(fetch(`/logs/community-1/entries?start=${at}&end=${Math.min(size, at + 16384)}`, { cache: "no-store" }).then((r) => r.arrayBuffer()));
    }
    await Promise.all(parts);
    return performance.now() - start;
  }, size);
  const cold = await download(size);
  const anchor = await download(size);
  await anchorContext.close();

  const firstOpens = [];
  for (let run = 0; run < 3; run++) {
    const context = await browser.newContext();
    const page = await settledTab(context);
    await page.addInitScript(drawnMark(size));
    await page.goto(phone);
    firstOpens.push(await drawnAt(page));
    await context.close();
  }
  report(`phone first open of a ${size}-leaf log through its tiles, balances drawn (median of 3)`, median(firstOpens), "ms", 1000);
  report("anchor: the same leaves downloaded by a page, in the same run", anchor, "ms");
  report("the first download of them (gzipped on the way, then kept)", cold, "ms");

  // Reopen, from the phone's copy (a snapshot shown while it replays).
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(phone);
  await page.locator("footer.head[data-checked=verified]").waitFor({ timeout: 120_000 });
  await page.waitForTimeout(2500);
  const reopens = [];
  for (let run = 0; run < 3; run++) {
    const tab = await settledTab(context);
    await tab.addInitScript(drawnMark(size));
    await tab.goto(phone);
    reopens.push(await drawnAt(tab));
    await tab.locator("footer.head[data-checked=verified]").waitFor({ timeout: 120_000 });
    await tab.close();
  }
  report("phone reopen, balances drawn (median of 3)", median(reopens), "ms", 300);

  // A receipt checked on the phone: time and downloads.
  const receipt = await (await fetch(`${origin}/logs/community-1/receipt/${size - 1}`)).text();
  await page.getByRole("button", { name: "核验" }).click();
  let downloads = 0;
  let bytes = 0;
  page.on("response", async (response) => {
    downloads += 1;
    bytes += (await response.body().catch(() => Buffer.alloc(0))).length;
  });
  const checks = [];
  const field = page.getByLabel("收据二维码的内容（扫码或粘贴）");
  for (let run = 0; run < 5; run++) {
    // A refusal first, so that the answer to time is a new one.
    await field.fill("not a receipt");
    await page.locator(".receipt-check button[type=submit]").click();
    await page.getByTestId("receipt-bad").waitFor();
    await field.fill(receipt);
    checks.push(
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const start = performance.now();
            new MutationObserver((_, observer) => {
              if (document.querySelector("[data-testid=receipt-ok]")) {
                observer.disconnect();
                resolve(performance.now() - start);
              }
            }).observe(document, { subtree: true, childList: true });
            document.querySelector(".receipt-check button[type=submit]").click();
          }),
      ),
    );
  }
  report("a receipt checked on a phone (median of 5)", median(checks), "ms", 500);
  report("downloads to check it", `${downloads} (${bytes} bytes)`, "requests", "5 and 40 KB");

  // A kiosk: tap to receipt, online then offline; then 500 queued synced.
  const kioskContext = await browser.newContext();
  const kiosk = await kioskContext.newPage();
  await kiosk.setViewportSize({ width: 1280, height: 800 });
  await kiosk.goto(`${phone}&screen=kiosk#device=kiosk-1:${keys["kiosk-1"]}`);
  await kiosk.locator("footer.head[data-checked=verified]").waitFor({ timeout: 120_000 });
  const pin = kiosk.locator("#pin");
  await pin.fill("2468");
  await kiosk.locator("#pin-again").fill("2468");
  await pin.press("Enter");
  await pin.waitFor({ state: "detached" });
  const taps = { online: [], offline: [] };
  let resident = 1;
  const next = () => `JX-${String(resident++).padStart(4, "0")}`;
  for (const mode of ["online", "offline"]) {
    // The online entries all answered first: the queue then holds only
    // offline ones.
    if (mode === "offline") await kiosk.locator(".outbox").waitFor({ state: "detached", timeout: 30_000 });
    await kioskContext.setOffline(mode === "offline");
    while (taps[mode].length < 7) {
      if (!(await pickReward(kiosk, next()))) continue;
      taps[mode].push(await kiosk.evaluate(tapToReceipt));
    }
  }
  report("kiosk tap to receipt, online (median of 7)", median(taps.online), "ms", 100);
  report("kiosk tap to receipt, offline (median of 7)", median(taps.offline), "ms", 50);
  let queued = 7;
  while (queued < 500) {
    if (!(await pickReward(kiosk, next()))) continue;
    await kiosk.evaluate(tapToReceipt);
    queued += 1;
  }
  await kiosk.locator(".outbox[data-offline=true]").waitFor();
  const waiting = Number(await kiosk.locator(".outbox").getAttribute("data-waiting"));
  if (waiting !== 500) throw new Error(`${waiting} entries wait, not 500`);
  const before = (await (await fetch(`${origin}/logs`)).json())[0].size;
  const start = Date.now();
  await kioskContext.setOffline(false);
  await kiosk.locator(".outbox").waitFor({ state: "detached", timeout: 120_000 });
  const synced = Date.now() - start;
  const after = (await (await fetch(`${origin}/logs`)).json())[0].size;
  if (after - before !== 500) throw new Error(`${after - before} entries reached the log, not 500`);
  report("500 queued entries synced (each answered by the log)", synced, "ms", 5000);
} finally {
  await browser.close();
  service.kill("SIGKILL");
}
