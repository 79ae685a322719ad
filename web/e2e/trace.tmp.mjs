import { readFile, writeFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
const dist = process.argv[2];
const ledger = await readFile(process.env.JIFEN_BENCH_LEDGER);
const entries = ledger.toString("latin1").split("\n").length - 1;
const server = await serve(dist, new Map([["bench/ledger.jsonl", ledger]]));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await browser.startTracing(tab, { categories: ["toplevel", "v8", "disabled-by-default-devtools.timeline", "blink.user_timing", "loading"] });
  const shown = tab.locator("footer.head", { hasText: `${entries} 条记录` });
  const cpu0 = process.cpuUsage();
  const start = Date.now();
  await tab.goto(`${server.base}?ledger=bench/ledger.jsonl`, { waitUntil: "commit" });
  while (!(await shown.count())) await tab.waitForTimeout(20);
  const ms = Date.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const buf = await browser.stopTracing();
  const trace = JSON.parse(buf.toString());
  const events = trace.traceEvents ?? trace;
  const names = new Map();
  for (const e of events) if (e.ph === "M" && e.name === "thread_name") names.set(`${e.pid}/${e.tid}`, e.args.name);
  const pnames = new Map();
  for (const e of events) if (e.ph === "M" && e.name === "process_name") pnames.set(e.pid, e.args.name);
  // navigation start
  const nav = events.find((e) => e.name === "navigationStart" || e.name === "NavigationTiming");
  const t0 = Math.min(...events.filter((e) => e.ts > 0 && e.name === "RunTask").map((e) => e.ts));
  const busy = new Map();
  for (const e of events) {
    if (e.ph !== "X" || !(e.name === "ThreadControllerImpl::RunTask" || e.name === "RunTask")) continue;
    const k = `${pnames.get(e.pid) ?? e.pid}:${names.get(`${e.pid}/${e.tid}`) ?? e.tid}`;
    const v = busy.get(k) ?? { wall: 0, cpu: 0, n: 0 };
    v.wall += e.dur ?? 0; v.cpu += e.tdur ?? 0; v.n++;
    busy.set(k, v);
  }
  console.log(`== round ${round}: shown ${ms} ms; node server cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
  for (const [k, v] of [...busy].sort((a, b) => b[1].wall - a[1].wall).slice(0, 14)) console.log(`${(v.wall / 1000).toFixed(0).padStart(6)} wall ${(v.cpu / 1000).toFixed(0).padStart(6)} cpu ${String(v.n).padStart(6)} ${k}`);
  if (round === 0) await writeFile("/tmp/trace.json", buf);
  await context.close();
}
await browser.close(); await server.close();
