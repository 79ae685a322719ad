// Node.js entry: loads the WebAssembly module synchronously from beside
// this file, so `import { verify } from "jifen-ledger"` is ready at once.
import { readFileSync } from "node:fs";
import { initSync } from "../web/jifen.js";

initSync({ module: readFileSync(new URL("../web/jifen_bg.wasm", import.meta.url)) });

export * from "../web/jifen.js";
