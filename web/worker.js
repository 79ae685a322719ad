// A Web Worker that checks batches of signatures, the SHA-256 of a
// downloaded file's lines, or reads and hashes a followed log's leaves,
// with the app's own wasm (the same ledger-core code), so the page stays
// responsive while a large ledger is verified.
// On a first visit it also downloads the published ledger for the page
// (index.html asks it to): it reads each part, checks the SHA-256 of its
// lines and hands the part on, so that the page only replays them.
// The app's start function mounts nothing here.
//
// The app's JavaScript is imported only when the wasm comes, not before
// this script runs: a download asked for meanwhile starts at once.

// The wasm: the page's compiled module, or (undefined) fetched here.
let app = null;
let ready = null;
let loaded = null; // true once the wasm runs here, false if it cannot
function load(module) {
  const asked = new URL(self.location.href).searchParams.get("app");
  const glue = asked === "jifen_phone" ? "jifen_phone" : "jifen_web";
  ready ??= import(`./${glue}.js`)
    .then(async (imported) => {
      await imported.default({ module_or_path: module });
      app = imported;
      loaded = true;
    })
    .catch(() => (loaded = false))
    .then(handOn);
}

// Messages: the module; a file to download for the page; jobs.
self.onmessage = async (event) => {
  const { module, follow, bytes, leaves, bundle, parts, skip, first } = event.data;
  if ("module" in event.data) return load(module);
  if (follow !== undefined) return download(follow);
  load(undefined);
  let answer = null;
  try {
    await ready;
    if (bundle) answer = app.vouch_bundle(bytes);
    else if (leaves) answer = app.check_leaf_signatures(bytes);
    else if (parts === undefined) answer = app.check_signature_batch(bytes);
    else answer = app.check_line_hashes(parts, skip, first);
  } catch {
    answer = null;
  }
  // A bundle's bytes go back to the page, which replays them.
  if (bundle) self.postMessage({ answer, bytes }, [bytes.buffer]);
  else self.postMessage({ answer });
};

// The download's parts wait here until the wasm runs; then each is checked
// and handed on (moved, not copied) in order, and the end goes last with
// what the checks found: the core's answer as bytes (empty while every line
// holds), or null if they could not be made.
const waiting = [];
let ended = false;
let answer = new Uint8Array(0);
let restart = true;
const post = (message, transfer = []) => self.postMessage({ stream: true, ...message }, transfer);

async function download(url) {
  try {
    const response = await fetch(url, { cache: "no-cache" });
    post({ status: response.status, length: response.headers.get("content-length") });
    if (response.ok && response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        waiting.push(value);
        handOn();
      }
    }
    ended = true;
    handOn();
  } catch (error) {
    post({ error: String(error?.message ?? error) });
  }
}

// Parts that come before the wasm go on to the page at once, a copy of
// each kept here until it can be checked.
const unchecked = [];
function handOn() {
  if (loaded === null) {
    while (waiting.length) {
      const part = waiting.shift();
      unchecked.push(part.slice());
      post({ part }, [part.buffer]);
    }
    return;
  }
  for (const part of unchecked.splice(0)) check(part);
  while (waiting.length) {
    const part = waiting.shift();
    check(part);
    post({ part }, [part.buffer]);
  }
  if (ended && unchecked.length === 0) {
    ended = false;
    post({ end: true, answer });
  }
}

function check(part) {
  if (!loaded) {
    answer = null;
  } else if (answer !== null && answer.length === 0) {
    try {
      answer = app.check_streamed_part(part, restart);
      restart = false;
    } catch {
      answer = null;
    }
  }
}
