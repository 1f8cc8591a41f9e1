// Seeded fuzz of every model-file reader, through the same functions the CLI and the app call:
// safetensors checkpoints (F32/F16/BF16), config.json, GGUF checkpoints (F32, Q8_0, Q4_0 and
// K-quants Q4_K/Q6_K, with tokenizer arrays), PEFT adapters (config and weights) and sparse
// deltas. Mutations: byte flips (anywhere, in the header, in tensor data only), truncation,
// appended and inserted/deleted bytes, header length and counts +-1, hostile u64 counts and
// lengths, duplicated keys, wrong JSON types and values. Every case must end in
//   - a typed error (LoaderError, InvalidFileError, UnsupportedModelError): never a raw
//     TypeError/RangeError, or
//   - a successful load equal to the intact one, where a change that touched only tensor data
//     may change the touched tensors and nothing else, and a change to a metadata or config
//     value may change only what that value feeds (checked against an independent reading of
//     the file: the test's own GGUF walker, the raw JSON).
// No hangs: every case finishes within CASE_LIMIT_MS. Memory: the bytes each checkpoint reader
// asks of its ByteSource stay within READ_BOUND (3) x the input size (the in-memory adapter and
// deltas readers copy each tensor once: 2x), and heap + array buffers, sampled after every case
// and measured from the last full collection (one every GC_EVERY cases), grow by less than
// HEAP_BOUND_BYTES + HEAP_BOUND_MULTIPLE x the largest input (96 MiB + 32 x 307 KB; measured
// 1-42 MB, mostly young-generation garbage of the readers and of this test's own comparisons):
// a count that allocated before it was checked against the bytes left (2^40 elements, say)
// would exceed it by orders of magnitude.
// 2,000 cases: about 5 s of CPU, 10-30 s on a busy 2-core machine.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { InvalidFileError, parseJsonFile } from '../../src/engine/files/invalidFile';
import { checkedModelConfig, checkCheckpointTensors, expectedTensors } from '../../src/engine/model/checkpointTensors';
import { parseLlamaConfig, UnsupportedModelError, type LlamaConfig } from '../../src/engine/model/config';
import { bytesSource, type ByteSource } from '../../src/engine/model/loaders/byteSource';
import { LoaderError } from '../../src/engine/model/loaders/errors';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { readGgufHeader } from '../../src/engine/model/loaders/gguf/ggufFile';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import type { CheckpointReader, TensorInfo } from '../../src/engine/model/loaders/types';
import { writeSafetensors, type WritableTensor } from '../../src/engine/model/safetensorsWriter';
import { parsePeftConfig, readPeftAdapter, readSparseDeltas } from '../../src/engine/training/adapterFiles';
import { encodeGguf, GGML, ggufName, llamaGguf, packQ4K, packQ6K, type GgufTensorSpec, type Kv } from '../fixtures/ggufWriter';
import { encodeSafetensors } from '../fixtures/safetensorsWriter';
import { tinyLlama } from '../fixtures/tinyLlama';
import { tinyLlama as sizedLlama } from '../fixtures/tinyModel';

const CASE_LIMIT_MS = 3000;
const READ_BOUND = 3;
const HEAP_BOUND_BYTES = 96 << 20;
const HEAP_BOUND_MULTIPLE = 32;

// ---- seeded randomness -------------------------------------------------------------------
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)] };
}
type Rng = ReturnType<typeof rng>;

// ---- outcome bookkeeping ------------------------------------------------------------------
const isTyped = (e: unknown) => e instanceof LoaderError || e instanceof InvalidFileError || e instanceof UnsupportedModelError;
let heapBase = 0;
let heapPeak = 0;
let largestInput = 0;
let casesSinceGc = 0;
const heapNow = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
// A full collection every GC_EVERY cases resets the baseline, so the samples measure what the
// readers hold plus at most GC_EVERY cases of garbage, not a whole run's uncollected garbage.
setFlagsFromString('--expose_gc');
const collect = runInNewContext('gc') as () => void;
const GC_EVERY = 25;

interface Tally { intact: number; typed: number; changed: number }

/** Runs one case: `load` must throw a typed error or return; `check` judges a returned result. */
async function runCase<T>(what: string, inputBytes: number, load: () => Promise<T>, check: (result: T) => void, tally: Tally): Promise<void> {
  largestInput = Math.max(largestInput, inputBytes);
  const start = performance.now();
  let result: T;
  try {
    result = await load();
  } catch (e) {
    if (!isTyped(e)) throw new Error(`${what}: raw ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
    tally.typed++;
    finish(what, start);
    return;
  }
  check(result);
  finish(what, start);
}
function finish(what: string, start: number) {
  const ms = performance.now() - start;
  if (ms > CASE_LIMIT_MS) throw new Error(`${what}: took ${ms.toFixed(0)} ms (a hang?)`);
  heapPeak = Math.max(heapPeak, heapNow() - heapBase);
  if (++casesSinceGc >= GC_EVERY) {
    collect();
    heapBase = heapNow();
    casesSinceGc = 0;
  }
}

/** A ByteSource that counts the bytes readers ask of it. */
function countingSource(name: string, bytes: Uint8Array): ByteSource & { readBytes: number } {
  const inner = bytesSource(name, bytes);
  const s = {
    name, size: bytes.byteLength, readBytes: 0,
    async read(offset: number, length: number) {
      s.readBytes += length;
      return inner.read(offset, length);
    },
  };
  return s;
}
function checkReads(what: string, src: { readBytes: number; size: number }) {
  if (src.readBytes > READ_BOUND * src.size + 64) throw new Error(`${what}: read ${src.readBytes} bytes of a ${src.size}-byte file`);
}

const bitsEqual = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/**
 * Names of the tensors whose stored bytes a mutation changed in place, from the intact file's
 * safetensors header; only those may load differently (bytes elsewhere must change nothing).
 */
function touchedTensors(orig: Uint8Array, touched: number[] | null): Set<string> {
  if (!touched) return new Set();
  const dataStart = 8 + Number(new DataView(orig.buffer, orig.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(orig.subarray(8, dataStart))) as Record<string, { data_offsets: [number, number] }>;
  return new Set(Object.entries(header)
    .filter(([n, e]) => n !== '__metadata__' && touched.some((p) => p >= dataStart + e.data_offsets[0] && p < dataStart + e.data_offsets[1]))
    .map(([n]) => n));
}

// ---- binary mutations -----------------------------------------------------------------------
interface Mutation {
  bytes: Uint8Array;
  kind: string;
  /** Original byte positions changed in place; null when bytes moved (length changed). */
  touched: number[] | null;
}

const HUGE = [2n ** 32n, 2n ** 40n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

/** A random damage of `orig`; `u64Fields` are positions of counts/lengths, `headerEnd` where data starts. */
function mutate(r: Rng, orig: Uint8Array, u64Fields: number[], headerEnd: number, countFields: number[]): Mutation {
  const b = orig.slice();
  const flip = (lo: number, hi: number, n: number) => {
    const touched: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = lo + r.int(Math.max(1, hi - lo));
      b[p] ^= 1 + r.int(255);
      touched.push(p);
    }
    return touched;
  };
  switch (r.int(9)) {
    case 0: return { bytes: b, kind: 'flip anywhere', touched: flip(0, b.length, 1 + r.int(3)) };
    case 1: return { bytes: b, kind: 'flip in header', touched: flip(0, headerEnd, 1 + r.int(3)) };
    case 2: return { bytes: b, kind: 'flip in data', touched: flip(headerEnd, b.length, 1 + r.int(4)) };
    case 3: return { bytes: orig.slice(0, r.int(orig.length)), kind: 'truncate', touched: null };
    case 4: {
      const extra = Uint8Array.from({ length: 1 + r.int(64) }, () => r.int(256));
      const out = new Uint8Array(orig.length + extra.length);
      out.set(orig);
      out.set(extra, orig.length);
      return { bytes: out, kind: 'append', touched: null };
    }
    case 5: {
      const p = r.int(orig.length);
      const out = r.next() < 0.5
        ? Uint8Array.from([...orig.subarray(0, p), r.int(256), ...orig.subarray(p)])
        : Uint8Array.from([...orig.subarray(0, p), ...orig.subarray(p + 1)]);
      return { bytes: out, kind: 'insert/delete a byte', touched: null };
    }
    case 6: {
      const p = r.pick(u64Fields);
      new DataView(b.buffer).setBigUint64(p, r.pick([...HUGE, BigInt(orig.length), BigInt(orig.length + 1)]), true);
      return { bytes: b, kind: `huge u64 at ${p}`, touched: [p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7] };
    }
    default: {
      const p = r.pick(countFields);
      const dv = new DataView(b.buffer);
      dv.setBigUint64(p, dv.getBigUint64(p, true) + (r.next() < 0.5 ? 1n : 2n ** 64n - 1n), true);
      return { bytes: b, kind: `count/length +-1 at ${p}`, touched: [p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7] };
    }
  }
}

// ---- checkpoints: load as the product does, and compare -----------------------------------
interface Loaded { config: string; warnings: string[]; tensors: Map<string, Float32Array>; quantized: Map<string, string> }

async function loadCheckpoint(reader: CheckpointReader, format: 'safetensors' | 'gguf'): Promise<Loaded> {
  const { config, warnings } = checkedModelConfig({ label: 'fuzz', format, config: reader.config, reader, files: [{ name: 'm.gguf', size: 0 }] } as never);
  const tensors = new Map<string, Float32Array>();
  const quantized = new Map<string, string>();
  for (const name of expectedTensors(config).keys()) {
    tensors.set(name, await reader.readF32(name));
    // What the GPU is given for tensors kept quantized (q8/q4 repacked, K-quant/BF16 blocks as stored).
    const q = await reader.readQuantized?.(name);
    const blocks = await reader.readBlocks?.(name);
    const hex = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    if (q || blocks) quantized.set(name, `${q ? hex(q.data) + hex(q.scales) : ''}|${blocks ? `${blocks.format}${blocks.rows}x${blocks.cols}${hex(blocks.bytes)}` : ''}`);
  }
  return { config: JSON.stringify(reader.config), warnings, tensors, quantized };
}

/** Names of tensors whose data differs; throws when the tensor set or config differs outside `allowedFields`. */
function diffLoaded(what: string, got: Loaded, want: Loaded, allowedFields: Set<string>): string[] {
  const gc = JSON.parse(got.config) as Record<string, unknown>;
  const wc = JSON.parse(want.config) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(gc), ...Object.keys(wc)])) {
    if (JSON.stringify(gc[k]) !== JSON.stringify(wc[k]) && !allowedFields.has(k)) throw new Error(`${what}: loaded with config.${k} ${JSON.stringify(gc[k])} instead of ${JSON.stringify(wc[k])}`);
  }
  if ([...got.tensors.keys()].sort().join() !== [...want.tensors.keys()].sort().join()) throw new Error(`${what}: loaded a different set of tensors`);
  const differ: string[] = [];
  for (const [name, t] of want.tensors) {
    if (!bitsEqual(got.tensors.get(name)!, t) || got.quantized.get(name) !== want.quantized.get(name)) differ.push(name);
  }
  return differ;
}

// ---- safetensors checkpoints ----------------------------------------------------------------
describe('fuzz: safetensors checkpoints', () => {
  const model = tinyLlama(11);
  for (const [dtype, cases] of [['F32', 200], ['F16', 100], ['BF16', 100]] as const) {
    it(`${cases} damaged ${dtype} files: intact, data-only changes, or typed errors`, async () => {
      collect();
      heapBase = heapNow();
      heapPeak = 0;
      const orig = encodeSafetensors(model.tensors, dtype);
      const headerLen = Number(new DataView(orig.buffer).getBigUint64(0, true));
      const dataStart = 8 + headerLen;
      const want = await loadCheckpoint(await openSafetensors(model.config, [bytesSource('m', orig)]), 'safetensors');
      const r = rng(1000 + dtype.length);
      const tally: Tally = { intact: 0, typed: 0, changed: 0 };
      for (let i = 0; i < cases; i++) {
        const m = mutate(r, orig, [0], dataStart, [0]);
        const what = `safetensors ${dtype} case ${i} (${m.kind})`;
        const src = countingSource('m.safetensors', m.bytes);
        await runCase(what, m.bytes.length, async () => loadCheckpoint(await openSafetensors(model.config, [src]), 'safetensors'), (got) => {
          checkReads(what, src);
          const differ = diffLoaded(what, got, want, new Set());
          const mayDiffer = touchedTensors(orig, m.touched);
          for (const name of differ) if (!mayDiffer.has(name)) throw new Error(`${what}: ${name} loaded different values (a silent wrong result)`);
          if (differ.length) tally.changed++;
          else tally.intact++;
        }, tally);
      }
      expect(tally.typed).toBeGreaterThan(cases / 4);
      expect(tally.intact + tally.changed).toBeGreaterThan(0);
      expect(heapPeak).toBeLessThan(HEAP_BOUND_BYTES + HEAP_BOUND_MULTIPLE * largestInput);
    });
  }
});

// ---- config.json ------------------------------------------------------------------------------
describe('fuzz: config.json', () => {
  const model = tinyLlama(12);
  const tensors = new Map<string, TensorInfo>(model.tensors.map((t) => [t.name, { name: t.name, shape: t.shape, dtype: 'F32', byteLength: 4 * t.data.length }]));
  const WRONG: unknown[] = [null, 'x', '64', true, [], [64], {}, 0, -1, 1.5, 1e308, -1e-9, 2 ** 53, 63, 65, 2, 1, 127, 128, 3];

  /** An independent reading of what the raw config says, checked against what the parser made of it. */
  function checkFaithful(what: string, raw: Record<string, unknown>, c: LlamaConfig) {
    const given = (k: string) => raw[k] !== undefined && raw[k] !== null;
    const eq = (field: string, got: unknown, want: unknown) => {
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: ${field} parsed as ${JSON.stringify(got)}, the file says ${JSON.stringify(want)}`);
    };
    eq('vocab_size', c.vocabSize, raw.vocab_size);
    eq('hidden_size', c.hidden, raw.hidden_size);
    eq('intermediate_size', c.intermediate, raw.intermediate_size);
    eq('num_hidden_layers', c.layers, raw.num_hidden_layers);
    eq('num_attention_heads', c.heads, raw.num_attention_heads);
    eq('num_key_value_heads', c.kvHeads, given('num_key_value_heads') ? raw.num_key_value_heads : raw.num_attention_heads);
    eq('head_dim', c.headDim, given('head_dim') ? raw.head_dim : (raw.hidden_size as number) / (raw.num_attention_heads as number));
    eq('rms_norm_eps', c.rmsNormEps, given('rms_norm_eps') ? raw.rms_norm_eps : 1e-6);
    eq('rope_theta', c.rope.ropeTheta, given('rope_theta') ? raw.rope_theta : 10000);
    eq('max_position_embeddings', c.maxPositions, given('max_position_embeddings') ? raw.max_position_embeddings : 2048);
    eq('tie_word_embeddings', c.tieWordEmbeddings, given('tie_word_embeddings') ? raw.tie_word_embeddings : false);
    eq('bos_token_id', c.bosId, given('bos_token_id') ? raw.bos_token_id : null);
    eq('eos_token_id', c.eosIds, given('eos_token_id') ? [raw.eos_token_id].flat() : []);
    const ints = [c.vocabSize, c.hidden, c.intermediate, c.layers, c.heads, c.kvHeads, c.headDim, c.maxPositions];
    if (!ints.every((v) => Number.isInteger(v) && v >= 1)) throw new Error(`${what}: a size is not a positive integer: ${ints}`);
    if (c.heads % c.kvHeads || c.headDim % 2) throw new Error(`${what}: heads/kv heads/head dim inconsistent`);
    if (!(c.rmsNormEps > 0 && c.rope.ropeTheta > 0 && Number.isFinite(c.rmsNormEps) && Number.isFinite(c.rope.ropeTheta))) throw new Error(`${what}: eps/theta out of range`);
    for (const id of [c.bosId, c.padId, ...c.eosIds]) if (id !== null && !(Number.isInteger(id) && id >= 0 && id < c.vocabSize)) throw new Error(`${what}: token id ${id} outside the vocabulary`);
  }

  it('400 damaged configs: faithful to the file or a typed error', async () => {
    collect();
    heapBase = heapNow();
    heapPeak = 0;
    const text = JSON.stringify(model.config, null, 2);
    const keys = [...Object.keys(model.config), 'rope_scaling', 'head_dim', 'sliding_window', 'hidden_act', 'pad_token_id'];
    const r = rng(77);
    const tally: Tally = { intact: 0, typed: 0, changed: 0 };
    for (let i = 0; i < 400; i++) {
      let raw: unknown;
      let kind: string;
      const k = r.int(6);
      if (k <= 2) {
        const o = JSON.parse(text) as Record<string, unknown>;
        const key = r.pick(keys);
        const value = key === 'rope_scaling' && r.next() < 0.5
          ? r.pick<unknown>([{ rope_type: 'linear', factor: r.pick(WRONG) }, { rope_type: 'llama3', factor: 8, low_freq_factor: r.pick(WRONG), high_freq_factor: 4, original_max_position_embeddings: 64 }, { type: r.pick(['yarn', 'dynamic', 7]) }, 'linear'])
          : r.pick(WRONG);
        if (r.next() < 0.15) delete o[key];
        else o[key] = value;
        raw = o;
        kind = `${key} = ${JSON.stringify(o[key])}`;
      } else if (k === 3) {
        // A duplicated key: JSON.parse keeps the last, as Python's json (and so transformers) does.
        const key = r.pick(Object.keys(model.config));
        raw = `{"${key}": ${JSON.stringify(r.pick(WRONG))}, ${text.slice(1)}`;
        kind = `duplicate ${key}`;
      } else {
        const b = new TextEncoder().encode(text);
        const p = r.int(b.length);
        raw = new TextDecoder().decode(k === 4 ? b.subarray(0, p) : Uint8Array.from(b, (x, j) => (j === p ? x ^ (1 + r.int(255)) : x)));
        kind = k === 4 ? `truncated at ${p}` : `byte ${p} flipped`;
      }
      const what = `config case ${i} (${kind})`;
      await runCase(what, text.length, async () => {
        // As resolveModel reads it: text through a JSON parse that names the file, then the checks.
        const parsed = (typeof raw === 'string' ? parseJsonFile(raw, 'config.json') : raw) as Record<string, unknown>;
        const c = parseLlamaConfig(parsed, 'config.json');
        checkCheckpointTensors(c, tensors, 'ckpt', 'config.json');
        return { parsed, c };
      }, ({ parsed, c }) => {
        checkFaithful(what, parsed, c);
        tally.intact++;
      }, tally);
    }
    expect(tally.typed).toBeGreaterThan(100);
    expect(tally.intact).toBeGreaterThan(10);
  });
});

// ---- GGUF checkpoints ---------------------------------------------------------------------
/** The test's own walk of a GGUF header: where each key and value lies, and every u64 count/length. */
function walkGguf(b: Uint8Array) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  let p = 8;
  const u64: number[] = [];
  const counts: number[] = [];
  const rd64 = (count: boolean) => {
    u64.push(p);
    if (count) counts.push(p);
    const v = Number(dv.getBigUint64(p, true));
    p += 8;
    return v;
  };
  const str = (): [number, number] => {
    const n = rd64(true);
    const s = p;
    p += n;
    return [s, p];
  };
  const nTensors = rd64(true);
  const nKv = rd64(true);
  const kvs: { key: string; regions: [number, number][] }[] = [];
  const value = (type: number, regions: [number, number][]) => {
    if (type === 8) regions.push(str());
    else if (type === 9) {
      const inner = dv.getUint32(p, true);
      p += 4;
      const n = rd64(true);
      for (let i = 0; i < n; i++) value(inner, regions);
    } else {
      regions.push([p, p + SIZES[type]]);
      p += SIZES[type];
    }
  };
  for (let i = 0; i < nKv; i++) {
    const keyRegion = str();
    const key = new TextDecoder().decode(b.subarray(...keyRegion));
    const type = dv.getUint32(p, true);
    p += 4;
    const regions: [number, number][] = [keyRegion];
    value(type, regions);
    kvs.push({ key, regions });
  }
  for (let i = 0; i < nTensors; i++) {
    str();
    const nd = dv.getUint32(p, true);
    p += 4;
    for (let d = 0; d < nd; d++) rd64(false);
    p += 4;
    rd64(false);
  }
  return { kvs, u64, counts };
}

/** Which HF config fields a GGUF key feeds (ggufToHfConfig), so a changed value may change only those. */
const GGUF_FIELDS: Record<string, string[]> = {
  'general.name': ['_name_or_path'],
  'llama.context_length': ['max_position_embeddings'],
  'llama.embedding_length': ['hidden_size', 'head_dim'],
  'llama.block_count': ['num_hidden_layers'],
  'llama.feed_forward_length': ['intermediate_size'],
  'llama.attention.head_count': ['num_attention_heads', 'num_key_value_heads', 'head_dim'],
  'llama.attention.head_count_kv': ['num_key_value_heads'],
  'llama.attention.key_length': ['head_dim'],
  'llama.rope.freq_base': ['rope_theta'],
  'llama.attention.layer_norm_rms_epsilon': ['rms_norm_eps'],
  'llama.vocab_size': ['vocab_size'],
  'tokenizer.ggml.tokens': ['vocab_size'],
  'tokenizer.ggml.bos_token_id': ['bos_token_id'],
  'tokenizer.ggml.eos_token_id': ['eos_token_id'],
};
const HEAD_KEYS = ['llama.attention.head_count', 'llama.attention.head_count_kv', 'llama.attention.key_length', 'llama.embedding_length'];

/** A Q4_K_M-like llama GGUF (attention/MLP Q4_K, down_proj Q6_K, norms F32) with tokenizer arrays. */
function kQuantGguf(): Uint8Array {
  const m = sizedLlama({ vocab: 32, hidden: 256, intermediate: 256, layers: 1, heads: 4, kvHeads: 2, seed: 3 });
  const r = rng(5);
  const tensors: GgufTensorSpec[] = [];
  for (const [name, shape] of m.shapes) {
    const count = shape.reduce((a, b) => a * b, 1);
    const k6 = /down_proj/.test(name);
    let bytes: Uint8Array;
    let type: number;
    if (shape.length === 1) {
      type = GGML.F32;
      bytes = new Uint8Array(m.weights.get(name)!.slice().buffer);
    } else {
      type = k6 ? GGML.Q6_K : GGML.Q4_K;
      const blocks: Uint8Array[] = [];
      for (let i = 0; i < count / 256; i++) {
        const q = Array.from({ length: 256 }, () => r.int(k6 ? 64 : 16));
        blocks.push(k6 ? packQ6K(0.01 + r.next() / 100, Array.from({ length: 16 }, () => r.int(64) - 32), q)
          : packQ4K(0.01 + r.next() / 100, r.next() / 100, Array.from({ length: 8 }, () => r.int(64)), Array.from({ length: 8 }, () => r.int(64)), q));
      }
      bytes = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
      let at = 0;
      for (const b of blocks) { bytes.set(b, at); at += b.length; }
    }
    tensors.push({ name: ggufName(name), shape, type, bytes });
  }
  const c = m.rawConfig as Record<string, number>;
  const kvs: Kv[] = [
    ['general.architecture', 'str', 'llama'], ['general.name', 'str', 'tiny-k'],
    ['llama.context_length', 'u32', c.max_position_embeddings], ['llama.embedding_length', 'u32', c.hidden_size],
    ['llama.block_count', 'u32', c.num_hidden_layers], ['llama.feed_forward_length', 'u32', c.intermediate_size],
    ['llama.attention.head_count', 'u32', c.num_attention_heads], ['llama.attention.head_count_kv', 'u32', c.num_key_value_heads],
    ['llama.rope.freq_base', 'f32', 10000], ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
    ['tokenizer.ggml.model', 'str', 'llama'],
    ['tokenizer.ggml.tokens', 'arr', 'str', Array.from({ length: 32 }, (_, i) => `t${i}`)],
    ['tokenizer.ggml.scores', 'arr', 'f32', Array.from({ length: 32 }, (_, i) => -i)],
    ['tokenizer.ggml.token_type', 'arr', 'i32', Array.from({ length: 32 }, () => 1)],
    ['tokenizer.ggml.bos_token_id', 'u32', 1], ['tokenizer.ggml.eos_token_id', 'u32', 2],
  ];
  return encodeGguf(kvs, tensors);
}

describe('fuzz: GGUF checkpoints', () => {
  const model = tinyLlama(13);
  const files: [string, () => Uint8Array, number][] = [
    ['F32', () => llamaGguf(model, GGML.F32).bytes, 200],
    ['Q8_0', () => llamaGguf(model, GGML.Q8_0).bytes, 150],
    ['Q4_0', () => llamaGguf(model, GGML.Q4_0, { alignment: 64 }).bytes, 150],
    ['Q4_K/Q6_K with tokenizer arrays', kQuantGguf, 200],
  ];
  for (const [label, make, cases] of files) {
    it(`${cases} damaged ${label} files: intact, changes only where the bytes changed, or typed errors`, async () => {
      collect();
      heapBase = heapNow();
      heapPeak = 0;
      const orig = make();
      const walk = walkGguf(orig);
      const header = await readGgufHeader(bytesSource('m.gguf', orig));
      const want = await loadCheckpoint(await openGguf(bytesSource('m.gguf', orig)), 'gguf');
      const ranges = header.tensors.map((t) => [t.name, t.offset, t.offset + t.byteLength] as const);
      const hfName = (gguf: string) => (gguf === 'token_embd.weight' ? 'model.embed_tokens.weight' : gguf === 'output_norm.weight' ? 'model.norm.weight' : gguf === 'output.weight' ? 'lm_head.weight' : gguf);
      const r = rng(2000 + cases + label.length);
      const tally: Tally = { intact: 0, typed: 0, changed: 0 };
      for (let i = 0; i < cases; i++) {
        let m: Mutation;
        if (r.next() < 0.1) {
          // A repeated metadata key (e.g. a second block_count): must be refused, whichever copy would win.
          const dup = walk.kvs[r.int(walk.kvs.length)].key;
          m = { bytes: rebuildWithDuplicate(orig, dup), kind: `duplicate key ${dup}`, touched: null };
        } else m = mutate(r, orig, walk.u64, header.dataOffset, walk.counts);
        const what = `GGUF ${label} case ${i} (${m.kind})`;
        const src = countingSource('m.gguf', m.bytes);
        await runCase(what, m.bytes.length, async () => loadCheckpoint(await openGguf(src), 'gguf'), (got) => {
          checkReads(what, src);
          if (m.kind.startsWith('duplicate key')) throw new Error(`${what}: a repeated key was accepted`);
          const touchedKeys = m.touched ? walk.kvs.filter((kv) => kv.regions.some(([lo, hi]) => m.touched!.some((p) => p >= lo && p < hi))).map((kv) => kv.key) : [];
          const allowed = new Set(touchedKeys.flatMap((k) => GGUF_FIELDS[k] ?? []));
          const differ = diffLoaded(what, got, want, allowed);
          const dataTouched = new Set(ranges.filter(([, lo, hi]) => m.touched?.some((p) => p >= lo && p < hi)).map(([n]) => n));
          const headsTouched = touchedKeys.some((k) => HEAD_KEYS.includes(k));
          for (const name of differ) {
            const gguf = [...dataTouched].some((n) => name === hfName(n) || (n.startsWith('blk.') && name.startsWith(`model.layers.${n.split('.')[1]}.`) && sameTensor(n, name)));
            const permuted = headsTouched && /self_attn\.(q|k)_proj/.test(name);
            if (!gguf && !permuted) throw new Error(`${what}: ${name} loaded different values (a silent wrong result); touched keys: ${touchedKeys.join(', ') || 'none'}`);
          }
          if (differ.length || allowed.size) tally.changed++;
          else tally.intact++;
        }, tally);
      }
      expect(tally.typed).toBeGreaterThan(cases / 4);
      expect(tally.intact + tally.changed).toBeGreaterThan(0);
      expect(heapPeak).toBeLessThan(HEAP_BOUND_BYTES + HEAP_BOUND_MULTIPLE * largestInput);
    });
  }
});

const GGUF_LAYER: Record<string, string> = {
  attn_norm: 'input_layernorm', attn_q: 'self_attn.q_proj', attn_k: 'self_attn.k_proj', attn_v: 'self_attn.v_proj', attn_output: 'self_attn.o_proj',
  ffn_norm: 'post_attention_layernorm', ffn_gate: 'mlp.gate_proj', ffn_up: 'mlp.up_proj', ffn_down: 'mlp.down_proj',
};
const sameTensor = (gguf: string, hf: string) => hf === `model.layers.${gguf.split('.')[1]}.${GGUF_LAYER[gguf.split('.')[2]]}.weight`;

/** `orig` with one metadata pair repeated (same key, another u32 value) and the metadata count raised. */
function rebuildWithDuplicate(orig: Uint8Array, key: string): Uint8Array {
  const walk = walkGguf(orig);
  const kv = walk.kvs.find((k) => k.key === key)!;
  const keyStart = kv.regions[0][0] - 8;
  const extra = new Uint8Array(8 + key.length + 4 + 4);
  const dv = new DataView(extra.buffer);
  dv.setBigUint64(0, BigInt(key.length), true);
  extra.set(new TextEncoder().encode(key), 8);
  dv.setUint32(8 + key.length, 4, true);
  dv.setUint32(12 + key.length, 7, true);
  const out = new Uint8Array(orig.length + extra.length);
  out.set(orig.subarray(0, keyStart));
  out.set(extra, keyStart);
  out.set(orig.subarray(keyStart), keyStart + extra.length);
  const odv = new DataView(out.buffer);
  odv.setBigUint64(16, odv.getBigUint64(16, true) + 1n, true);
  return out;
}

// ---- PEFT adapters and sparse deltas ----------------------------------------------------------
describe('fuzz: PEFT adapters and sparse deltas', () => {
  const config = parseLlamaConfig(tinyLlama(14).config);
  const lora: WritableTensor[] = [0, 1].flatMap((layer) => ['self_attn.q_proj', 'self_attn.v_proj'].flatMap((t, j) => {
    const p = `base_model.model.model.layers.${layer}.${t}`;
    return [
      { name: `${p}.lora_A.weight`, dtype: 'F32' as const, shape: [2, 64], data: Float32Array.from({ length: 128 }, (_, i) => Math.sin(i + layer + j)) },
      { name: `${p}.lora_B.weight`, dtype: 'F32' as const, shape: [j ? 32 : 64, 2], data: Float32Array.from({ length: j ? 64 : 128 }, (_, i) => Math.cos(i * layer + j)) },
    ];
  }));
  const peftText = JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['q_proj', 'v_proj'], bias: 'none', use_rslora: false }, null, 2);

  it('250 damaged PEFT adapters (config and weights): faithful, data-only changes, or typed errors', async () => {
    collect();
    heapBase = heapNow();
    heapPeak = 0;
    const weights = writeSafetensors(lora, { format: 'pt' });
    const dataStart = 8 + Number(new DataView(weights.buffer).getBigUint64(0, true));
    const want = readPeftAdapter(parsePeftConfig(peftText, 'c'), weights, 'w', config);
    const r = rng(31);
    const tally: Tally = { intact: 0, typed: 0, changed: 0 };
    const WRONG: unknown[] = [null, 'x', 0, -2, 1.5, 2, 3, 8, 1e308, [], {}, ['q_proj'], ['k_proj', 'v_proj'], ['c_attn'], 'all-linear', true, false, 'none', 'all'];
    for (let i = 0; i < 250; i++) {
      let text = peftText;
      let bytes = weights;
      let touched: number[] | null = [];
      let kind: string;
      const pick = r.next();
      if (pick < 0.15) {
        // Re-written without one matrix, or with one cut short (data shorter than its declared use).
        const k = r.int(lora.length);
        const t = lora[k];
        const cut = r.next() < 0.5;
        bytes = writeSafetensors(cut ? lora.map((x, j) => (j === k ? { ...x, shape: [x.shape[0] - 1, x.shape[1]], data: x.data.slice(x.shape[1]) } : x)) : lora.filter((_, j) => j !== k));
        touched = null;
        kind = `weights ${cut ? 'short' : 'without'} ${t.name}`;
      } else if (pick < 0.55) {
        const o = JSON.parse(peftText) as Record<string, unknown>;
        const key = r.pick(['r', 'lora_alpha', 'target_modules', 'peft_type', 'use_rslora', 'use_dora', 'bias', 'fan_in_fan_out', 'layers_to_transform', 'rank_pattern']);
        if (r.next() < 0.2) delete o[key];
        else o[key] = r.pick(WRONG);
        text = r.next() < 0.1 ? JSON.stringify(o).slice(0, r.int(40)) : JSON.stringify(o);
        kind = `config ${key} = ${JSON.stringify(o[key])}`;
      } else {
        const m = mutate(r, weights, [0], dataStart, [0]);
        bytes = m.bytes;
        touched = m.touched;
        kind = `weights ${m.kind}`;
      }
      const what = `PEFT case ${i} (${kind})`;
      await runCase(what, bytes.length + text.length, async () => readPeftAdapter(parsePeftConfig(text, 'adapter_config.json'), bytes, 'adapter_model.safetensors', config), (got) => {
        const raw = JSON.parse(text) as Record<string, unknown>;
        if (got.config.r !== raw.r || got.config.lora_alpha !== raw.lora_alpha) throw new Error(`${what}: r/alpha ${got.config.r}/${got.config.lora_alpha} differ from the file's ${String(raw.r)}/${String(raw.lora_alpha)}`);
        const mayDiffer = touchedTensors(weights, touched);
        let changed = false;
        for (const [key, mat] of want.matrices) {
          const g = got.matrices.get(key);
          if (!g) throw new Error(`${what}: matrix ${key} missing from a successful load`);
          const [layer, target] = key.split('.');
          const prefix = `base_model.model.model.layers.${layer}.${target === 'q' ? 'self_attn.q_proj' : 'self_attn.v_proj'}`;
          for (const [ab, gm, wm] of [['A', g.a, mat.a], ['B', g.b, mat.b]] as const) {
            if (bitsEqual(gm, wm)) continue;
            if (!mayDiffer.has(`${prefix}.lora_${ab}.weight`)) throw new Error(`${what}: matrix ${key} ${ab} loaded different values (a silent wrong result)`);
            changed = true;
          }
        }
        if (got.matrices.size !== want.matrices.size) throw new Error(`${what}: ${got.matrices.size} matrices instead of ${want.matrices.size}`);
        if (changed) tally.changed++;
        else tally.intact++;
      }, tally);
    }
    expect(tally.typed).toBeGreaterThan(60);
    expect(tally.intact).toBeGreaterThan(10);
    expect(heapPeak).toBeLessThan(HEAP_BOUND_BYTES + HEAP_BOUND_MULTIPLE * largestInput);
  });

  it('250 damaged sparse deltas files: intact, data-only changes that stay valid, or typed errors', async () => {
    collect();
    heapBase = heapNow();
    heapPeak = 0;
    const names = ['model.layers.0.self_attn.q_proj.weight', 'model.layers.1.mlp.down_proj.weight', 'model.layers.0.mlp.up_proj.weight'];
    const deltas: WritableTensor[] = names.flatMap((name, j) => {
      const idx = Int32Array.from({ length: 40 }, (_, i) => i * 97 + j);
      return [
        { name: `${name}.indices`, dtype: 'I32' as const, shape: [40], data: idx },
        { name: `${name}.values`, dtype: 'F32' as const, shape: [40], data: Float32Array.from(idx, (v) => v / 1000) },
      ];
    });
    const orig = writeSafetensors(deltas, { format: 'zo-studio-sparse' });
    const dataStart = 8 + Number(new DataView(orig.buffer).getBigUint64(0, true));
    const want = readSparseDeltas(orig, 'd', config);
    const r = rng(41);
    const tally: Tally = { intact: 0, typed: 0, changed: 0 };
    const header = JSON.parse(new TextDecoder().decode(orig.subarray(8, dataStart))) as Record<string, { data_offsets: [number, number] }>;
    for (let i = 0; i < 250; i++) {
      let m: Mutation;
      const pick = r.next();
      const w = r.int(names.length);
      if (pick < 0.1) {
        // One index copied over another: data-only, and must not load as duplicate indices.
        const at = dataStart + header[`${names[w]}.indices`].data_offsets[0];
        const bytes = orig.slice();
        const [from, to] = [r.int(40), r.int(40)];
        bytes.copyWithin(at + 4 * to, at + 4 * from, at + 4 * from + 4);
        m = { bytes, kind: `index ${from} copied over ${to}`, touched: from === to ? [] : [0, 1, 2, 3].map((b) => at + 4 * to + b) };
      } else if (pick < 0.2) {
        // Re-written without a values tensor, or with fewer values than indices.
        const cut = r.next() < 0.5;
        const vi = 2 * w + 1;
        const t = deltas[vi];
        m = { bytes: writeSafetensors(cut ? deltas.map((x, j) => (j === vi ? { ...x, shape: [39], data: x.data.slice(1) } : x)) : deltas.filter((_, j) => j !== vi)), kind: `${cut ? 'fewer' : 'no'} ${t.name}`, touched: null };
      } else m = mutate(r, orig, [0], dataStart, [0]);
      const what = `sparse case ${i} (${m.kind})`;
      await runCase(what, m.bytes.length, async () => readSparseDeltas(m.bytes, 'sparse_deltas.safetensors', config), (got) => {
        const mayDiffer = touchedTensors(orig, m.touched);
        if ([...got.keys()].sort().join() !== [...want.keys()].sort().join()) throw new Error(`${what}: different weights loaded`);
        let changed = false;
        for (const [name, d] of want) {
          const g = got.get(name)!;
          const same = g.indices.length === d.indices.length && g.indices.every((v, k) => v === d.indices[k]) && bitsEqual(g.values, d.values);
          if (same) continue;
          if (!mayDiffer.has(`${name}.indices`) && !mayDiffer.has(`${name}.values`)) throw new Error(`${what}: ${name} loaded different deltas (a silent wrong result)`);
          // Data-only damage may change indices or values, but what loads must still be valid.
          if (!g.indices.every((v, k) => k === 0 || v > g.indices[k - 1]) || !g.values.every(Number.isFinite) || g.indices.length !== g.values.length) {
            throw new Error(`${what}: ${name} loaded invalid deltas`);
          }
          changed = true;
        }
        if (changed) tally.changed++;
        else tally.intact++;
      }, tally);
    }
    expect(tally.typed).toBeGreaterThan(60);
    expect(tally.intact + tally.changed).toBeGreaterThan(10);
    expect(heapPeak).toBeLessThan(HEAP_BOUND_BYTES + HEAP_BOUND_MULTIPLE * largestInput);
  });
});
