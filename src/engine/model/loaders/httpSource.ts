// HTTP files as ByteSources through Range requests (RFC 9110 §14: `Range: bytes=a-b` answered
// by 206 with `Content-Range: bytes a-b/size`), and the Hugging Face Hub's URL layout
// `${endpoint}/${repo}/resolve/${revision}/${file}`. Statuses become typed loader errors.
import { bytesSource, checkRange, type ByteSource } from './byteSource';
import { DownloadCancelledError, GatedRepoError, NetworkError, NotFoundError, UnreachableError, hostOf, isAbort } from './errors';
import type { FileProgress } from './progress';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface HttpOptions {
  /** Hugging Face access token, sent as `Authorization: Bearer`. */
  token?: string;
  signal?: AbortSignal;
  /** Injected for tests and custom agents; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Names the repository in 401/403 messages. */
  repo?: string;
  /** Names where the files live when nothing answers: "the Hub", or a host. */
  site?: string;
}

export function hubFileUrl(endpoint: string, repo: string, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/** fetch with the token, the signal, and typed errors; a 404 returns null, a 416 is returned for the caller. */
export async function httpGet(url: string, opts: HttpOptions, range?: string): Promise<Response | null> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (range) headers.Range = range;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { headers, signal: opts.signal, redirect: 'follow' });
  } catch (e) {
    if (isAbort(e) || opts.signal?.aborted) throw new DownloadCancelledError(url);
    // fetch rejects only when no response came at all (offline, DNS, refused, CORS).
    throw new UnreachableError(url, opts.site ?? hostOf(url));
  }
  if (res.status === 404) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel().catch(() => {});
    throw new GatedRepoError(opts.repo ?? url, res.status, !!opts.token);
  }
  if (!res.ok && res.status !== 416) {
    await res.body?.cancel().catch(() => {});
    throw new NetworkError(url, `HTTP ${res.status} ${res.statusText}`);
  }
  return res;
}

export async function responseBytes(res: Response, url: string, signal?: AbortSignal): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (isAbort(e) || signal?.aborted) throw new DownloadCancelledError(url);
    throw new NetworkError(url, `the connection broke (${(e as Error).message})`);
  }
}

/** Total size from `Content-Range: bytes a-b/size` (206) or Content-Length (200). */
export function totalSize(res: Response): number | null {
  const cr = res.headers.get('content-range');
  const m = cr ? /\/(\d+)\s*$/.exec(cr) : null;
  if (m) return Number(m[1]);
  const len = res.headers.get('content-length');
  return res.status === 200 && len !== null ? Number(len) : null;
}

/** The Hub's sha-256 of an LFS file (X-Linked-Etag / ETag when it is 64 hex digits). */
export function lfsSha256(res: Response): string | undefined {
  for (const h of ['x-linked-etag', 'etag']) {
    const v = res.headers.get(h)?.replace(/^W\//, '').replace(/"/g, '');
    if (v && /^[0-9a-f]{64}$/.test(v)) return v;
  }
  return undefined;
}

export interface HttpSource extends ByteSource {
  readonly sha256?: string;
}

/**
 * Largest file read whole from a server that ignores Range requests: it is held in memory.
 * The demo model (15 MB) and small checkpoints fit; a multi-GB model needs a host with ranges.
 */
export const MAX_WHOLE_BODY_BYTES = 1 << 30;

/**
 * A remote file read by ranges. Probes its size with a one-byte range request; null on 404.
 * A server that answers the probe with 200 (the whole file: many plain static servers, such as
 * `python3 -m http.server`, ignore Range) is read from that same response, streamed into memory
 * with progress, up to MAX_WHOLE_BODY_BYTES.
 * `makeProgress` (optional) gives a tracker that counts every byte read.
 */
export async function openHttpSource(url: string, name: string, opts: HttpOptions, makeProgress?: (size: number) => FileProgress | undefined): Promise<HttpSource | null> {
  const probe = await httpGet(url, opts, 'bytes=0-0');
  if (!probe) return null;
  const size = totalSize(probe);
  const sha256 = lfsSha256(probe);
  if (probe.status === 200) return wholeBodySource(probe, url, name, opts, size, sha256, makeProgress);
  await probe.body?.cancel().catch(() => {});
  if (size === null) throw new NetworkError(url, 'the server gave no file size (no Content-Range or Content-Length)');
  const tracker = makeProgress?.(size);
  return {
    name,
    size,
    sha256,
    async read(offset, length) {
      checkRange({ name, size }, offset, length);
      if (length === 0) return new Uint8Array(0);
      const res = await httpGet(url, opts, `bytes=${offset}-${offset + length - 1}`);
      if (!res) throw new NotFoundError(url, name);
      if (res.status !== 206 && !(res.status === 200 && offset === 0 && length === size)) {
        await res.body?.cancel().catch(() => {});
        throw new NetworkError(url, `the server stopped honouring Range requests mid-load (HTTP ${res.status}); reload to read the file whole`);
      }
      const bytes = await responseBytes(res, url, opts.signal);
      if (bytes.byteLength !== length) throw new NetworkError(url, `asked for ${length} bytes at ${offset}, got ${bytes.byteLength}`);
      tracker?.add(length);
      return bytes;
    },
  };
}

/** The whole file from a 200 response, streamed chunk by chunk so progress moves as it arrives. */
async function wholeBodySource(
  res: Response,
  url: string,
  name: string,
  opts: HttpOptions,
  declared: number | null,
  sha256: string | undefined,
  makeProgress?: (size: number) => FileProgress | undefined,
): Promise<HttpSource> {
  const encoded = res.headers.get('content-encoding');
  const size = encoded && encoded !== 'identity' ? null : declared;
  if (size !== null && size > MAX_WHOLE_BODY_BYTES) {
    await res.body?.cancel().catch(() => {});
    throw new NetworkError(url, `the server ignores Range requests, and ${name} (${(size / 2 ** 30).toFixed(1)} GiB) is too large to read whole; serve it from a host that supports byte ranges`);
  }
  const tracker = size !== null ? makeProgress?.(size) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    if (!res.body) throw new NetworkError(url, 'the response has no body');
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > MAX_WHOLE_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        throw new NetworkError(url, `the server ignores Range requests, and ${name} is larger than ${MAX_WHOLE_BODY_BYTES / 2 ** 30} GiB: too large to read whole; serve it from a host that supports byte ranges`);
      }
      chunks.push(value);
      tracker?.add(value.byteLength);
    }
  } catch (e) {
    if (isAbort(e) || opts.signal?.aborted) throw new DownloadCancelledError(url);
    if (e instanceof NetworkError) throw e;
    throw new NetworkError(url, `the connection broke after ${received} bytes (${(e as Error).message})`);
  }
  if (size !== null && received !== size) throw new NetworkError(url, `the download ended at ${received} of ${size} bytes`);
  const done = tracker ?? makeProgress?.(received);
  if (!tracker) done?.add(received);
  done?.finish();
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ...bytesSource(name, bytes), sha256 };
}
