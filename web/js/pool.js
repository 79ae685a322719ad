// Signature checks off the main thread: Web Workers, each running the app's
// own wasm (worker.js beside index.html), take batches of signatures as
// bytes and answer "" (all good) or "SEQ ACTOR" (the first bad one).
// Without Worker support every call answers null and the app checks on the
// main thread instead.
//
// Batches wait in one queue and each worker takes the next when it is
// free. While the page itself is replaying the ledger only one worker runs,
// so the page keeps a core of its own; `use_all_workers` (called once the
// balances are shown) starts the others.

const MAX_WORKERS = 2;
const workers = [];
const queue = [];
let started = false;

function supported() {
  return typeof Worker === "function" && typeof document !== "undefined";
}

function spawn() {
  let worker;
  try {
    worker = new Worker(new URL("worker.js", document.baseURI), { type: "module" });
  } catch {
    return; // No module workers here.
  }
  const slot = { worker, job: null, dead: false };
  worker.onmessage = (event) => {
    const job = slot.job;
    slot.job = null;
    if (job) job.resolve(event.data.answer);
    pump(slot);
  };
  worker.onerror = () => {
    // A worker that fails: its batch answers null (the page checks it),
    // and the others take the rest.
    slot.dead = true;
    if (slot.job) slot.job.resolve(null);
    slot.job = null;
    if (workers.every((w) => w.dead)) {
      while (queue.length) queue.shift().resolve(null);
    }
  };
  workers.push(slot);
}

function pump(slot) {
  if (slot.dead || slot.job !== null) return;
  const job = queue.shift();
  if (!job) return;
  slot.job = job;
  slot.worker.postMessage({ bytes: job.bytes }, [job.bytes.buffer]);
}

export function check_signatures(bytes) {
  if (!supported()) return Promise.resolve(null);
  if (!started) {
    started = true;
    spawn();
  }
  if (workers.length === 0 || workers.every((w) => w.dead)) return Promise.resolve(null);
  return new Promise((resolve) => {
    queue.push({ bytes, resolve });
    workers.forEach(pump);
  });
}

export function use_all_workers() {
  if (!started || !supported()) return;
  const cores = navigator.hardwareConcurrency || 1;
  while (workers.length < Math.max(1, Math.min(MAX_WORKERS, cores))) spawn();
  workers.forEach(pump);
}
