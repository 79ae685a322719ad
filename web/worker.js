// A Web Worker that checks batches of signatures with the app's own wasm
// (the same ledger-core code), so the page stays responsive while a large
// ledger is verified. The app's start function mounts nothing here.
import init, { check_signature_batch } from "./jifen_web.js";

const ready = init();
self.onmessage = async (event) => {
  const { bytes } = event.data;
  let answer = null;
  try {
    await ready;
    answer = check_signature_batch(bytes);
  } catch {
    answer = null;
  }
  self.postMessage({ answer });
};
