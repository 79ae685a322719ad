// The static server the end-to-end tests and the web benchmarks start on
// 127.0.0.1 (a free port) and stop when they finish: the release bundle
// from `dist`, and the files in `published` (path → bytes or text) at their
// paths, as a community office would publish its ledger beside the page.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

export async function serve(dist, published = new Map()) {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    if (published.has(path)) {
      // Bytes as they are (a 45 MB ledger is not copied per request).
      const value = published.get(path);
      const body = Buffer.isBuffer(value) ? value : Buffer.from(value);
      // With its length, as static file servers send it.
      response.writeHead(200, { "content-type": "application/jsonl; charset=utf-8", "content-length": body.length });
      response.end(body);
      return;
    }
    try {
      const body = await readFile(join(dist, path));
      response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream", "content-length": body.length });
      response.end(body);
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
