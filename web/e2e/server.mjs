// The static server the end-to-end tests and the web benchmarks start on
// 127.0.0.1 (a free port) and stop when they finish: the release bundle
// from `dist`, and the files in `published` (path → bytes or text) at their
// paths, as a community office would publish its ledger beside the page.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

// Each body's entity tag (a hash of it), worked out once per buffer.
const tags = new WeakMap();
function tag(body) {
  let known = tags.get(body);
  if (known === undefined) {
    known = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    tags.set(body, known);
  }
  return known;
}

// Answers `body`, as static file servers do: with its length and an
// entity tag, to be revalidated on every use ("no-cache"), and "304 Not
// Modified" when the browser already holds it.
function send(request, response, type, body) {
  const etag = tag(body);
  const headers = { "content-type": type, etag, "cache-control": "no-cache" };
  if (request.headers["if-none-match"] === etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, { ...headers, "content-length": body.length });
  response.end(body);
}

export async function serve(dist, published = new Map()) {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    if (published.has(path)) {
      // Bytes as they are (a 45 MB ledger is not copied per request).
      const value = published.get(path);
      const body = Buffer.isBuffer(value) ? value : Buffer.from(value);
      send(request, response, "application/jsonl; charset=utf-8", body);
      return;
    }
    try {
      const body = await readFile(join(dist, path));
      send(request, response, types[extname(path)] ?? "application/octet-stream", body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
