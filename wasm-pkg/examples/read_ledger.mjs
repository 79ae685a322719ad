// Read a ledger file from Node.js with the npm package: verify it, print
// its head, and show one resident's balance and newest entries.
//
//   node read_ledger.mjs ledger.jsonl JX-0001
import { readFileSync } from "node:fs";
import { Ledger, setLanguage } from "jifen-ledger";

const [file, resident] = process.argv.slice(2);
setLanguage("en");
try {
  // Every line, hash, link, signature and rule; throws the first bad seq.
  const ledger = Ledger.open(readFileSync(file));
  const head = ledger.head();
  console.log(`${ledger.count} entries, head ${head.seq}:${head.hash}`);
  console.log(`${resident}: ${ledger.balance(resident) ?? "unknown"} points`);
  for (const entry of ledger.history(resident, 0, 5)) {
    const undone = entry.reversedBy === null ? "" : ` (reversed by ${entry.reversedBy})`;
    console.log(`  seq ${entry.seq} ${entry.body.type} by ${entry.actor}${undone}`);
  }
} catch (error) {
  console.error(`${error.kind} at seq ${error.seq}: ${error.message}`);
  process.exit(1);
}
