// A static file server on 127.0.0.1 (a free port) for tests that load the app's files the way
// the browser does: GET with optional single Range, 404 for anything missing, a Content-Type by
// extension (browsers refuse module scripts without one). `{ ranges: false }` behaves like a
// plain static host such as `python3 -m http.server`: it ignores Range and answers 200 with the
// whole file, and `requests` records what was asked.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

export interface StaticServer {
  url: string;
  /** Every request: path, the Range header if any, and the status answered. */
  requests: { path: string; range?: string; status: number }[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

export async function startStaticServer(root: string, opts: { ranges?: boolean } = {}): Promise<StaticServer> {
  const ranges = opts.ranges ?? true;
  const requests: StaticServer['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    const file = join(root, path);
    const entry = { path, range: req.headers.range, status: 404 };
    requests.push(entry);
    if (!file.startsWith(root) || !(await stat(file).then((s) => s.isFile(), () => false))) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = await readFile(file);
    const type = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
    const range = ranges ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '') : null;
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      entry.status = 206;
      res.writeHead(206, { ...type, 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1, 'accept-ranges': 'bytes' });
      res.end(body.subarray(start, end + 1));
      return;
    }
    entry.status = 200;
    res.writeHead(200, { ...type, 'content-length': body.length, ...(ranges ? { 'accept-ranges': 'bytes' } : {}) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
