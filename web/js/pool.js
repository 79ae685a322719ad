// Checks off the main thread: Web Workers, each running the app's own wasm
// (worker.js beside index.html), take batches of signatures as bytes, the
// lines of a downloaded file whose SHA-256 they check while the page
// replays the rest, or a followed log's bundles they read and hash for the
// page's replay, and answer in bytes as ledger-core writes them
// (`verify::answer`: empty when all hold). Without Worker
// support every call answers null and the app checks on the main thread
// instead.
//
// Batches wait in one queue and each worker takes the next when it is
// free. While the page itself is replaying a file only one worker runs,
// so the page keeps a core of its own; `use_all_workers` (called once the
// balances are shown) starts the others. A followed log's bundles start
// them at once (`fetch_vouched`).

const MAX_WORKERS = 2;
const workers = [];
const queue = [];
let started = false;

function supported() {
  return typeof Worker === "function" && typeof document !== "undefined";
}

function spawn() {
  let worker = globalThis.jifenWorker;
  // The one index.html started early, for the first slot (unless it
  // already failed to load: then no worker can, and the page checks).
  globalThis.jifenWorker = undefined;
  if (worker && globalThis.jifenWorkerFailed) return;
  try {
    const url = new URL("worker.js", document.baseURI);
    url.searchParams.set("app", globalThis.jifenApp ?? "jifen_web");
    worker ??= new Worker(url, { type: "module" });
  } catch {
    return; // No module workers here.
  }
  // The page's compiled module (index.html), so that the worker need not
  // fetch and compile it again; without it the worker fetches it.
  try {
    worker.postMessage({ module: globalThis.jifenModule });
  } catch {
    worker.postMessage({ module: undefined });
  }
  const slot = { worker, job: null, dead: false };
  worker.onmessage = (event) => {
    // A download's parts go to the page (index.html, next_streamed).
    if (event.data?.stream) return;
    const job = slot.job;
    slot.job = null;
    // A bundle comes back with its bytes, which went to the worker.
    if (job) job.resolve(job.message.bundle ? event.data : event.data.answer);
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
  // The bytes move to the worker (no copy); the page keeps its own.
  const { bytes, parts } = job.message;
  const buffers = parts ? [...new Set(parts.map((part) => part.buffer))] : [bytes.buffer];
  slot.worker.postMessage(job.message, buffers);
}

// Starts the first worker now, so that it is ready when the first job
// comes (the page calls this as it starts downloading a ledger).
export function warm_up() {
  if (!started && supported()) {
    started = true;
    spawn();
  }
}

// `rank`: a job the page waits for goes before every other (0 first,
// then 1, ...; in the order they came within a rank); without one it waits
// for the rest.
function submit(message, rank) {
  if (!supported()) return Promise.resolve(null);
  warm_up();
  if (workers.length === 0 || workers.every((w) => w.dead)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const job = { message, resolve, rank: rank ?? Infinity };
    const at = queue.findIndex((j) => j.rank > job.rank);
    queue.splice(at === -1 ? queue.length : at, 0, job);
    workers.forEach(pump);
  });
}

export function check_signatures(bytes) {
  return submit({ bytes });
}

// A followed log's signatures (api/log/signatures.rs).
export function check_leaves(bytes) {
  return submit({ bytes, leaves: true });
}

// A followed log's leaves in bulk, for a first visit: the bundle fetched
// here, then read and hashed in a worker (`vouch_bundle`) while the page
// replays the bundles before it. Resolves to the status, the bytes and the
// worker's answer (null without a worker: the page reads them all itself).
// The page replays bundles in order, so the first ones asked go to a
// worker first, whichever arrives first.
let bundlesAsked = 0;
export function fetch_vouched(url) {
  const rank = ++bundlesAsked;
  const get = () => fetch(url, { cache: "no-cache" });
  return get().then(async (response) => {
    if (!response.ok) return { status: response.status, bytes: null, answer: null };
    const bytes = new Uint8Array(await response.arrayBuffer());
    // Bundles are the slowest part of a first visit, slower than the
    // page's replay of them: a second worker shares them from here.
    if (started && workers.length < Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1)) spawn();
    // The bytes go to the worker and back, not copied.
    const vouched = await submit({ bytes, bundle: true }, rank);
    if (vouched?.bytes) return { status: response.status, bytes: vouched.bytes, answer: vouched.answer };
    if (bytes.byteLength > 0) return { status: response.status, bytes, answer: null };
    // A worker that failed with the bytes: the page fetches them again
    // (immutable, so from the cache) and reads them itself.
    const again = await get();
    if (!again.ok) return { status: again.status, bytes: null, answer: null };
    return { status: again.status, bytes: new Uint8Array(await again.arrayBuffer()), answer: null };
  });
}

// The page waits for this answer before it shows balances: it goes before
// any signature batch still waiting.
// The file comes as the parts it was downloaded in; its lines numbered
// from `first` start `skip` bytes in.
export function check_hashes(parts, skip, first) {
  return submit({ parts, skip, first }, 0);
}

export function use_all_workers() {
  if (!started || !supported()) return;
  const cores = navigator.hardwareConcurrency || 1;
  while (workers.length < Math.max(1, Math.min(MAX_WORKERS, cores))) spawn();
  workers.forEach(pump);
}

// The next message of the download the worker makes for the page on a
// first visit (index.html): its status and length, a part, its end or a
// failure; null if there is none.
export function next_streamed() {
  const stream = globalThis.jifenStream;
  if (!stream) return Promise.resolve(null);
  if (stream.messages.length) return Promise.resolve(stream.messages.shift());
  return new Promise((resolve) => {
    stream.wake = () => {
      stream.wake = null;
      resolve(stream.messages.shift());
    };
  });
}
