import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
const dist = process.argv[2];
const ledger = await readFile(process.env.JIFEN_BENCH_LEDGER);
const entries = ledger.toString("latin1").split("\n").length - 1;
const server = await serve(dist, new Map([["bench/ledger.jsonl", ledger]]));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext();
const tab = await context.newPage();
const cdp = await context.newCDPSession(tab);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
await cdp.send("Profiler.start");
const shown = tab.locator("footer.head", { hasText: `${entries} 条记录` });
const start = Date.now();
await tab.goto(`${server.base}?ledger=bench/ledger.jsonl`, { waitUntil: "commit" });
while (!(await shown.count())) await tab.waitForTimeout(20);
const ms = Date.now() - start;
const { profile } = await cdp.send("Profiler.stop");
const self = new Map(); const byId = new Map(profile.nodes.map((n) => [n.id, n]));
let total = 0;
profile.samples.forEach((id, i) => { const n = byId.get(id); const k = (n.callFrame.functionName || "(anon)"); const d = profile.timeDeltas[i] / 1000; self.set(k, (self.get(k) ?? 0) + d); total += d; });
console.log(`shown ${ms} ms; profile ${total.toFixed(0)} ms`);
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
profile.samples.forEach((id, i) => { const d = profile.timeDeltas[i] / 1000; const seen = new Set(); for (let x = id; x !== undefined; x = parent.get(x)) { const k = byId.get(x).callFrame.functionName || "(anon)"; if (seen.has(k)) continue; seen.add(k); incl.set(k, (incl.get(k) ?? 0) + d); } });
if (process.env.AFTER) {
  let last = -1; profile.samples.forEach((id, i) => { for (let x = id; x !== undefined; x = parent.get(x)) if ((byId.get(x).callFrame.functionName || "").includes(process.env.AFTER)) { last = i; break; } });
  const tail = new Map(); let tt = 0;
  profile.samples.forEach((id, i) => { if (i <= last) return; const d = profile.timeDeltas[i] / 1000; tt += d; const seen = new Set(); for (let x = id; x !== undefined; x = parent.get(x)) { const k = byId.get(x).callFrame.functionName || "(anon)"; if (seen.has(k)) continue; seen.add(k); tail.set(k, (tail.get(k) ?? 0) + d); } });
  console.log(`--- after the last ${process.env.AFTER}: ${tt.toFixed(0)} ms`); [...tail].sort((a, b) => b[1] - a[1]).slice(0, 50).forEach(([k, v]) => console.log(v.toFixed(1).padStart(7), k.slice(0, 150)));
}
{
  const t0 = profile.startTime; let t = t0; const buckets = new Map();
  profile.samples.forEach((id, i) => { t += profile.timeDeltas[i]; const b = Math.floor((t - t0) / 100000); let k = byId.get(id).callFrame.functionName || "(anon)";
    let inReplay = false; for (let x = id; x !== undefined; x = parent.get(x)) { const f = byId.get(x).callFrame.functionName || ""; if (f.includes("replay_inner")) { inReplay = true; break; } }
    if (!["(program)", "(idle)", "(garbage collector)"].includes(k)) k = inReplay ? "replay" : "other";
    const m = buckets.get(b) ?? new Map(); m.set(k, (m.get(k) ?? 0) + profile.timeDeltas[i] / 1000); buckets.set(b, m); });
  for (const [b, m] of [...buckets].sort((a, b) => a[0] - b[0])) console.log(`${String(b * 100).padStart(5)} ms: ` + [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", "));
}
console.log("--- inclusive"); [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.ITOP ?? 40)).forEach(([k, v]) => console.log(v.toFixed(1).padStart(7), k.slice(0, 140)));
console.log("--- self");
[...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 45)).forEach(([k, v]) => console.log(v.toFixed(1).padStart(7), k.slice(0, 140)));
await browser.close(); await server.close();
