// A Web Worker that checks batches of signatures, or the SHA-256 of a
// downloaded file's lines, with the app's own wasm (the same ledger-core
// code), so the page stays responsive while a large ledger is verified.
// The app's start function mounts nothing here.
import init, { check_line_hashes, check_signature_batch } from "./jifen_web.js";

// The first message is the page's compiled module (or undefined), the
// others are jobs.
let ready = null;
self.onmessage = async (event) => {
  if (ready === null) {
    ready = init({ module_or_path: event.data.module });
    return;
  }
  const { bytes, parts, skip, first } = event.data;
  let answer = null;
  try {
    await ready;
    answer = parts === undefined ? check_signature_batch(bytes) : check_line_hashes(parts, skip, first);
  } catch {
    answer = null;
  }
  self.postMessage({ answer });
};
