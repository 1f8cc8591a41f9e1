// Loading over HTTP in Hub layout from a local server: the demo model (F32, and BF16 upcast
// exactly) equal to the file's bytes, sharded and GGUF copies, gated/404 errors, the cache
// (a second load makes no request), resume after a cut connection, cancel, and progress.
// Tolerance: none; every tensor is compared bit for bit with the file's own bytes.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../src/engine/api';
import { DownloadCancelledError, GatedRepoError, NetworkError, NotFoundError } from '../../src/engine/model/loaders/errors';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { nodeFolderCache } from '../../src/engine/model/loaders/nodeFolderCache';
import { resolveModel, type ResolvedModel } from '../../src/engine/model/loaders/resolveModel';
import { GGML, llamaGguf } from '../fixtures/ggufWriter';
import { startHubServer, type HubServer } from '../fixtures/hubServer';
import { DEMO_DIR, writeModelMeta, writeSafetensorsModel } from '../fixtures/safetensorsWriter';
import { demoBf16Safetensors } from '../fixtures/demoBf16';
import { tinyLlama } from '../fixtures/tinyLlama';
import { expectBitEqual } from './bitEqual';

/** The file's tensors as f32, parsed here independently of the loader (BF16: bits << 16). */
function parseFile(path: string): Map<string, Float32Array> {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const out = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries<{ dtype: string; data_offsets: [number, number] }>(header)) {
    if (name === '__metadata__') continue;
    const raw = buf.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    let v: Float32Array;
    if (t.dtype === 'F32') {
      v = new Float32Array(raw.length / 4);
      new Uint8Array(v.buffer).set(raw);
    } else {
      const bits = new Uint32Array(raw.length / 2);
      for (let i = 0; i < bits.length; i++) bits[i] = raw.readUInt16LE(2 * i) << 16;
      v = new Float32Array(bits.buffer);
    }
    out.set(name, v);
  }
  return out;
}

async function expectMatches(r: ResolvedModel, want: Map<string, Float32Array>) {
  expect(r.reader.tensors.size).toBe(want.size);
  for (const [name, v] of want) expectBitEqual(await r.reader.readF32(name), v, name);
}

const tmp = mkdtempSync(join(tmpdir(), 'zo-hub-'));
const tiny = tinyLlama(7);
let server: HubServer;

beforeAll(async () => {
  const bf16 = join(tmp, 'demo-bf16');
  writeModelMeta(bf16, JSON.parse(readFileSync(join(DEMO_DIR, 'config.json'), 'utf8')));
  writeFileSync(join(bf16, 'model.safetensors'), demoBf16Safetensors());
  writeSafetensorsModel(join(tmp, 'sharded'), tiny, 'BF16', 3);
  writeSafetensorsModel(join(tmp, 'single'), tiny, 'BF16');
  mkdirSync(join(tmp, 'gguf'));
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(DEMO_DIR, f), join(tmp, 'gguf', f));
  writeFileSync(join(tmp, 'gguf', 'tiny.Q4_0.gguf'), llamaGguf(tiny, GGML.Q4_0).bytes);
  server = await startHubServer({
    'zo/demo': { dir: DEMO_DIR, revisions: ['main', 'v1'] },
    'zo/demo-bf16': { dir: bf16 },
    'zo/sharded': { dir: join(tmp, 'sharded') },
    'zo/gguf': { dir: join(tmp, 'gguf') },
    'zo/gated': { dir: join(tmp, 'single'), token: 'hf_secret' },
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const requestsFor = (file: string) => server.requests.filter((r) => r.file === file);

describe('loading over HTTP (Hub layout)', () => {
  it('demo model.safetensors by Range requests equals the file, with no whole-file GET', async () => {
    const before = server.requests.length;
    const r = await resolveModel({ kind: 'hub', repo: 'zo/demo' }, { endpoint: server.endpoint, cache: null });
    expect(r.config.architectures).toEqual(['LlamaForCausalLM']);
    expect(r.generationConfig?.bos_token_id).toBe(1);
    await expectMatches(r, parseFile(join(DEMO_DIR, 'model.safetensors')));
    const weightReqs = server.requests.slice(before).filter((q) => q.file === 'model.safetensors');
    expect(weightReqs.length).toBeGreaterThan(57);
    expect(weightReqs.every((q) => q.status === 206 && /^bytes=\d+-\d+$/.test(q.range ?? ''))).toBe(true);
    expect(r.files.find((f) => f.name === 'model.safetensors')?.size).toBe(15744704);
  });

  it('demo model.bf16.safetensors upcasts exactly', async () => {
    const r = await resolveModel({ kind: 'url', url: `${server.endpoint}/zo/demo-bf16/resolve/main` }, { cache: null });
    const want = parseFile(join(tmp, 'demo-bf16', 'model.safetensors'));
    await expectMatches(r, want);
    // BF16 really differs from the f32 file: the comparison above is not vacuous.
    const f32 = parseFile(join(DEMO_DIR, 'model.safetensors')).get('model.norm.weight')!;
    expect(want.get('model.norm.weight')).not.toEqual(f32);
  });

  it('a sharded repo loads identically to the single file, and a GGUF from a repo loads', async () => {
    const cache = nodeFolderCache(join(tmp, 'cache-shard'));
    const sharded = await resolveModel({ kind: 'hub', repo: 'zo/sharded' }, { endpoint: server.endpoint, cache });
    const single = await resolveModel({ kind: 'files', files: nodeFolder(join(tmp, 'single')) });
    for (const name of single.reader.tensors.keys()) expectBitEqual(await sharded.reader.readF32(name), await single.reader.readF32(name), name);
    const g = await resolveModel({ kind: 'hub', repo: 'zo/gguf', file: 'tiny.Q4_0.gguf' }, { endpoint: server.endpoint, cache: null });
    expect(g.format).toBe('gguf');
    expect((await g.reader.readQuantized!('model.layers.0.mlp.up_proj.weight'))?.kind).toBe('q4');
    for (const r of [sharded, single]) await r.reader.close?.();
  });

  it('gated repo: 401 without a token, 403 with a wrong one, loads with the right one', async () => {
    const opts = { endpoint: server.endpoint, cache: null };
    const e401 = await resolveModel({ kind: 'hub', repo: 'zo/gated' }, opts).catch((e) => e);
    expect(e401).toBeInstanceOf(GatedRepoError);
    expect(e401.status).toBe(401);
    expect(e401.message).toMatch(/Accept the model's license at https:\/\/huggingface.co\/zo\/gated.*HF_TOKEN/);
    const e403 = await resolveModel({ kind: 'hub', repo: 'zo/gated' }, { ...opts, token: 'hf_wrong' }).catch((e) => e);
    expect(e403).toBeInstanceOf(GatedRepoError);
    expect(e403.message).toMatch(/HTTP 403.*token you gave was not accepted/);
    const ok = await resolveModel({ kind: 'hub', repo: 'zo/gated' }, { ...opts, token: 'hf_secret' });
    expect(ok.reader.tensors.size).toBe(tiny.tensors.length);
  });

  it('404: a wrong repo id, revision or file', async () => {
    for (const spec of [{ repo: 'zo/nope' }, { repo: 'zo/demo', revision: 'v9' }, { repo: 'zo/gguf', file: 'missing.gguf' }]) {
      const err = await resolveModel({ kind: 'hub', ...spec }, { endpoint: server.endpoint, cache: null }).catch((e) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.message).toMatch(/HTTP 404.*Check the repository id, the revision and the file name/);
    }
  });
});

describe('cache, resume, cancel, progress', () => {
  it('a second load of a cached model makes no request; list, hashes and delete work', async () => {
    const cache = nodeFolderCache(join(tmp, 'cache-a'));
    const opts = { endpoint: server.endpoint, cache };
    const first = await resolveModel({ kind: 'hub', repo: 'zo/demo', revision: 'v1' }, opts);
    const n = server.requests.length;
    const second = await resolveModel({ kind: 'hub', repo: 'zo/demo', revision: 'v1' }, opts);
    expect(server.requests.length).toBe(n);
    await expectMatches(second, parseFile(join(DEMO_DIR, 'model.safetensors')));
    const [entry] = await cache.list();
    expect(entry.label).toBe('zo/demo@v1');
    expect(entry.complete).toBe(true);
    const weights = entry.files.find((f) => f.name === 'model.safetensors')!;
    expect(weights.sha256).toBe(createHash('sha256').update(readFileSync(join(DEMO_DIR, 'model.safetensors'))).digest('hex'));
    expect(second.files).toEqual(first.files);
    expect(entry.totalBytes).toBe(entry.files.reduce((a, f) => a + f.size, 0));
    expect(entry.files.map((f) => f.name)).not.toContain('model.safetensors.index.json');
    await first.reader.close?.();
    await second.reader.close?.();
    await cache.delete(entry.key);
    expect(await cache.list()).toEqual([]);
  });

  it('a damaged cache index entry counts as not cached: the next load fetches again and repairs it', async () => {
    const root = join(tmp, 'cache-damaged');
    const cache = nodeFolderCache(root);
    const opts = { endpoint: server.endpoint, cache };
    await (await resolveModel({ kind: 'hub', repo: 'zo/demo', revision: 'v1' }, opts)).reader.close?.();
    const [entry] = await cache.list();
    const entryFile = join(root, readdirSync(root)[0], 'entry.json');
    for (const damaged of ['{"key": "hub:', JSON.stringify({ ...entry, files: [{ name: 'model.safetensors', size: 'big' }] })]) {
      writeFileSync(entryFile, damaged);
      expect(await cache.get(entry.key)).toBeUndefined();
      expect(await cache.list()).toEqual([]);
      const n = server.requests.length;
      const again = await resolveModel({ kind: 'hub', repo: 'zo/demo', revision: 'v1' }, opts);
      expect(server.requests.length).toBeGreaterThan(n);
      await expectMatches(again, parseFile(join(DEMO_DIR, 'model.safetensors')));
      await again.reader.close?.();
      expect((await cache.get(entry.key))?.complete).toBe(true);
    }
  });

  it('an interrupted download resumes with a Range request', async () => {
    const cache = nodeFolderCache(join(tmp, 'cache-b'));
    server.cutOnce('model.safetensors', 3_000_000);
    const opts = { endpoint: server.endpoint, cache };
    const err = await resolveModel({ kind: 'hub', repo: 'zo/demo' }, opts).catch((e) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toMatch(/resumes/);
    const kept = await cache.backend.storedBytes('hub:' + server.endpoint + '/zo/demo@main', 'model.safetensors');
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(3_000_000);
    const r = await resolveModel({ kind: 'hub', repo: 'zo/demo' }, opts);
    expect(requestsFor('model.safetensors').at(-1)?.range).toBe(`bytes=${kept}-`);
    expect(requestsFor('model.safetensors').at(-1)?.status).toBe(206);
    await expectMatches(r, parseFile(join(DEMO_DIR, 'model.safetensors')));
    await r.reader.close?.();
  });

  it('cancel through an AbortSignal stops a download; the next load resumes it; progress is reported', async () => {
    const cache = nodeFolderCache(join(tmp, 'cache-c'));
    server.stallOnce('model.safetensors', 2_000_000);
    const ctrl = new AbortController();
    const events: LoadProgress[] = [];
    const onProgress = (p: LoadProgress) => {
      events.push(p);
      if (p.file === 'model.safetensors' && p.loadedBytes > 0) ctrl.abort();
    };
    const err = await resolveModel({ kind: 'hub', repo: 'zo/demo' }, { endpoint: server.endpoint, cache, signal: ctrl.signal, onProgress }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadCancelledError);
    expect(err.message).toMatch(/cancelled/);
    const done: LoadProgress[] = [];
    const r = await resolveModel({ kind: 'hub', repo: 'zo/demo' }, { endpoint: server.endpoint, cache, onProgress: (p) => done.push(p) });
    expect(requestsFor('model.safetensors').at(-1)?.range).toMatch(/^bytes=[1-9]\d*-$/);
    const w = done.filter((p) => p.file === 'model.safetensors');
    expect(w.length).toBeGreaterThan(0);
    for (let i = 1; i < w.length; i++) expect(w[i].loadedBytes).toBeGreaterThanOrEqual(w[i - 1].loadedBytes);
    const last = w.at(-1)!;
    expect(last).toMatchObject({ loadedBytes: 15744704, totalBytes: 15744704, secondsLeft: 0, phase: 'download' });
    expect(last.bytesPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(last.bytesPerSecond)).toBe(true);
    expect(done.some((p) => p.file === 'config.json')).toBe(true);
    await r.reader.close?.();
  });
});
