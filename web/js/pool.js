// Signature checks off the main thread: a few Web Workers, each running the
// app's own wasm (worker.js beside index.html), take batches of signatures
// as bytes and answer "" (all good) or "SEQ ACTOR" (the first bad one).
// Without Worker support every call answers null and the app checks on the
// main thread instead.

let workers = null;
let jobs = 0;
const waiting = new Map();

function start() {
  if (workers !== null) return workers;
  workers = [];
  if (typeof Worker !== "function" || typeof document === "undefined") return workers;
  const size = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));
  const url = new URL("worker.js", document.baseURI);
  for (let i = 0; i < size; i++) {
    try {
      const worker = new Worker(url, { type: "module" });
      worker.onmessage = (event) => {
        const { id, answer } = event.data;
        const resolve = waiting.get(id);
        waiting.delete(id);
        if (resolve) resolve(answer);
      };
      worker.onerror = () => {
        // A worker that cannot start: its jobs answer null, and the app
        // checks them itself.
        for (const [id, resolve] of waiting) {
          if (id % size === i) {
            waiting.delete(id);
            resolve(null);
          }
        }
      };
      workers.push(worker);
    } catch {
      // No module workers here.
    }
  }
  return workers;
}

export function check_signatures(bytes) {
  const pool = start();
  if (pool.length === 0) return Promise.resolve(null);
  const id = jobs++;
  const worker = pool[id % pool.length];
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker.postMessage({ id, bytes }, [bytes.buffer]);
  });
}
