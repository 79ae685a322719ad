import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
const dist = process.argv[2];
const ledger = await readFile(process.env.JIFEN_BENCH_LEDGER);
const entries = ledger.toString("latin1").split("\n").length - 1;
const server = await serve(dist, new Map([["bench/ledger.jsonl", ledger]]));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
  const context = await browser.newContext();
  await context.addInitScript({ content: `
    const cs = WebAssembly.compileStreaming;
    WebAssembly.compileStreaming = (p) => { performance.mark("x:compile-start"); return cs.call(WebAssembly, p).then((m) => { performance.mark("x:compiled"); return m; }); };
    const inst = WebAssembly.instantiate;
    WebAssembly.instantiate = (...a) => { performance.mark("x:inst-start"); return inst.apply(WebAssembly, a).then((r) => { performance.mark("x:instantiated"); return r; }); };
    const rd = ReadableStreamDefaultReader.prototype.read; let nread = 0, bytes = 0;
    ReadableStreamDefaultReader.prototype.read = function () { nread++; if (nread === 1) performance.mark("x:first-read"); if (nread % 100 === 0) performance.mark("x:read-" + nread + " " + (bytes>>20) + "MB"); return rd.call(this).then((r) => { if (r.value) bytes += r.value.length; if (r.done) performance.mark("x:read-done n=" + nread); return r; }); };
    new MutationObserver((_, obs) => {
      const f = document.querySelector("footer.head");
      if (f && f.textContent.includes("${entries} 条记录")) { performance.mark("x:footer-in-dom"); obs.disconnect(); requestAnimationFrame(() => performance.mark("x:next-frame")); }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  ` });
  const tab = await context.newPage();
  const shown = tab.locator("footer.head", { hasText: `${entries} 条记录` });
  const start = Date.now();
  await tab.goto(`${server.base}?ledger=bench/ledger.jsonl`, { waitUntil: "commit" });
  while (!(await shown.count())) await tab.waitForTimeout(20);
  const ms = Date.now() - start;
  const tl = await tab.evaluate(() => {
    const out = [];
    for (const r of performance.getEntriesByType("resource")) out.push([r.startTime, `${r.name.split("/").pop()} start; req ${r.requestStart.toFixed(0)} resp ${r.responseStart.toFixed(0)} end ${r.responseEnd.toFixed(0)}`]);
    for (const m of performance.getEntriesByType("mark")) out.push([m.startTime, m.name]);
    const n = performance.getEntriesByType("navigation")[0];
    out.push([n.responseEnd, "html responseEnd"]); out.push([n.domContentLoadedEventEnd, "DOMContentLoaded end"]);
    return out.sort((a, b) => a[0] - b[0]).map(([t, s]) => `${t.toFixed(0).padStart(6)} ${s}`).join("\n");
  });
  console.log(`== round ${round}: shown ${ms} ms\n${tl}`);
  await context.close();
}
await browser.close(); await server.close();
