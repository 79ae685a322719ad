// Times `verify` (full) and `verifyChain` of the built package in Node.js
// on one ledger file: node verify.mjs PACKAGE_DIR LEDGER_FILE
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const [pkgDir, file] = process.argv.slice(2);
const { verify, verifyChain } = await import(pathToFileURL(join(pkgDir, "node", "index.mjs")).href);
const bytes = readFileSync(file);
for (const [name, fn] of [["full verify", verify], ["hash chain only", verifyChain]]) {
  let best = Infinity;
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    count = fn(bytes).count;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  console.log(`node ${name}: ${best.toFixed(3)} s (${Math.round(count / best)} entries/s)`);
}
