// GGUF reader: every metadata value type (arrays included), alignment, F32/F16 tensors equal to
// the source exactly, Q8_0/Q4_0 equal to ggml's dequantized reference (and repacked into the
// engine's q8/q4 format without loss), Q4_K/Q6_K decoded per ggml's block layout, llama.cpp
// names/metadata translated, q/k un-permuted. Tolerance: none; every value is exact in f32.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dequantize } from '../../src/engine/defs/quantFormat';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { CorruptFileError, MissingFileError, UnsupportedArchitectureError, UnsupportedDtypeError } from '../../src/engine/model/loaders/errors';
import { decodeGgml, GGML_TYPES } from '../../src/engine/model/loaders/gguf/ggufBlocks';
import { readGgufHeader } from '../../src/engine/model/loaders/gguf/ggufFile';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { permuteRows, unpermuteRows } from '../../src/engine/model/loaders/gguf/ropePermute';
import { halfToFloat, floatToHalf } from '../../src/engine/defs/halfFloat';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { resolveModel } from '../../src/engine/model/loaders/resolveModel';
import { encodeGguf, GGML, llamaCppPermute, llamaGguf, packQ4K, packQ6K, type Kv } from '../fixtures/ggufWriter';
import { writeModelMeta } from '../fixtures/safetensorsWriter';
import { randomArray } from '../helpers/allclose';
import { tinyLlama } from '../fixtures/tinyLlama';
import { expectBitEqual } from './bitEqual';

const tmp = mkdtempSync(join(tmpdir(), 'zo-gguf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = tinyLlama(5);
const src = (bytes: Uint8Array) => bytesSource('t.gguf', bytes);

describe('GGUF container', () => {
  it('reads every metadata value type, arrays included, and honours general.alignment', async () => {
    const kvs: Kv[] = [
      ['a.u8', 'u8', 200], ['a.i8', 'i8', -100], ['a.u16', 'u16', 60000], ['a.i16', 'i16', -30000],
      ['a.u32', 'u32', 4000000000], ['a.i32', 'i32', -2000000000], ['a.f32', 'f32', 0.5], ['a.bool', 'bool', true],
      ['a.str', 'str', 'héllo'], ['a.u64', 'u64', 2n ** 60n], ['a.i64', 'i64', -(2n ** 60n)], ['a.f64', 'f64', 1 / 3],
      ['a.arr_str', 'arr', 'str', ['x', 'yz', '']], ['a.arr_i32', 'arr', 'i32', [1, -2, 3]], ['a.arr_empty', 'arr', 'f32', []],
    ];
    const data = randomArray(64, 9);
    const bytes = encodeGguf(kvs, [{ name: 'a', shape: [2, 32], type: GGML.F32, bytes: new Uint8Array(data.buffer) }, { name: 'b', shape: [3], type: GGML.F32, bytes: new Uint8Array(12) }], { alignment: 64 });
    const h = await readGgufHeader(src(bytes));
    expect(h.version).toBe(3);
    expect(h.alignment).toBe(64);
    expect(h.dataOffset % 64).toBe(0);
    expect(h.tensors[1].offset - h.tensors[0].offset).toBe(256);
    expect(Object.fromEntries(h.metadata)).toEqual({
      'a.u8': 200, 'a.i8': -100, 'a.u16': 60000, 'a.i16': -30000, 'a.u32': 4000000000, 'a.i32': -2000000000, 'a.f32': 0.5,
      'a.bool': true, 'a.str': 'héllo', 'a.u64': 2n ** 60n, 'a.i64': -(2n ** 60n), 'a.f64': 1 / 3,
      'a.arr_str': ['x', 'yz', ''], 'a.arr_i32': [1, -2, 3], 'a.arr_empty': [], 'general.alignment': 64,
    });
    expect(h.tensors[0]).toMatchObject({ name: 'a', dims: [32, 2], type: 0 });
  });

  it('reads version 2 and refuses version 1, bad magic and truncation with typed errors', async () => {
    const v2 = encodeGguf([['k', 'str', 'v']], [], { version: 2 });
    expect((await readGgufHeader(src(v2))).version).toBe(2);
    await expect(readGgufHeader(src(encodeGguf([], [], { version: 1 })))).rejects.toThrow(/version 1 is not supported/);
    const bad = v2.slice();
    bad[0] = 0x50;
    await expect(readGgufHeader(src(bad))).rejects.toBeInstanceOf(CorruptFileError);
    const full = llamaGguf(model, GGML.F32).bytes;
    const err = await readGgufHeader(src(full.subarray(0, 200))).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.message).toMatch(/truncated/);
    // The header intact, the data cut short: tensor ranges past the end.
    await expect(openGguf(src(full.subarray(0, full.length - 100)))).rejects.toThrow(/runs past the end/);
  });
});

describe('GGUF container validation (as llama.cpp gguf.cpp refuses)', () => {
  const one = (kvs: Kv[], tensors = [{ name: 'a', shape: [32], type: GGML.F32, bytes: new Uint8Array(128) }]) => encodeGguf(kvs, tensors);
  /** The byte index of the first occurrence of `needle` (an ASCII string) in `bytes`. */
  const find = (bytes: Uint8Array, needle: string) => Buffer.from(bytes).indexOf(Buffer.from(needle));

  it('refuses a repeated metadata key and a repeated tensor name', async () => {
    await expect(readGgufHeader(src(one([['llama.block_count', 'u32', 2], ['llama.block_count', 'u32', 1]])))).rejects.toThrow(/metadata key llama.block_count appears twice/);
    const t = { name: 'w', shape: [32], type: GGML.F32, bytes: new Uint8Array(128) };
    await expect(readGgufHeader(src(one([], [t, t])))).rejects.toThrow(/tensor w is listed twice/);
  });

  it('bounds array, string and tensor counts by the bytes left before allocating', async () => {
    const arr = one([['a.arr', 'arr', 'u32', [1, 2, 3]]]);
    const countAt = find(arr, 'a.arr') + 5 + 4 + 4; // key, value type, element type
    const huge = arr.slice();
    new DataView(huge.buffer).setBigUint64(countAt, 2n ** 50n, true);
    const before = process.memoryUsage().rss;
    await expect(readGgufHeader(src(huge))).rejects.toThrow(/array a.arr claims 1125899906842624 elements, more than the \d+ bytes left/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
    const str = one([['a.s', 'str', 'hello']]);
    const lenAt = find(str, 'a.s') + 3 + 4;
    new DataView(str.buffer).setBigUint64(lenAt, 10n ** 12n, true);
    await expect(readGgufHeader(src(str))).rejects.toThrow(/metadata a.s length 1000000000000 runs past the end/);
    const counts = one([]);
    new DataView(counts.buffer).setBigUint64(8, 10n ** 9n, true);
    await expect(readGgufHeader(src(counts))).rejects.toThrow(/claims 0 metadata pairs and 1000000000 tensors/);
  });

  it('a numeric key stored with another type is an error, not a default', async () => {
    const bytes = llamaGguf(model, GGML.F32, { extraKv: [['llama.rope.freq_base', 'str', '500000']] }).bytes;
    await expect(openGguf(src(bytes))).rejects.toThrow(/metadata llama\.rope\.freq_base is the string "500000"; expected a number/);
  });

  it('requires tensors to tile the data section in order, nothing past the end or after the last', async () => {
    const a = { name: 'a', shape: [32], type: GGML.F32, bytes: new Uint8Array(128) };
    const b = { name: 'b', shape: [64], type: GGML.Q8_0, bytes: new Uint8Array(68) };
    const good = encodeGguf([], [a, b]);
    expect((await readGgufHeader(src(good))).tensors.map((t) => t.byteLength)).toEqual([128, 68]);
    const overlap = good.slice();
    const bOffsetAt = find(good, '\x01\x00\x00\x00\x00\x00\x00\x00b') + 9 + 4 + 8 + 4;
    new DataView(overlap.buffer).setBigUint64(bOffsetAt, 0n, true);
    await expect(readGgufHeader(src(overlap))).rejects.toThrow(/tensor b has data offset 0; after the tensors before it, it must be 128/);
    const tail = new Uint8Array(good.length + 64);
    tail.set(good);
    await expect(readGgufHeader(src(tail))).rejects.toThrow(/bytes after the last tensor belong to no tensor/);
    await expect(readGgufHeader(src(good.subarray(0, good.length - 40)))).rejects.toThrow(/tensor b .* runs past the end/);
    const partial = encodeGguf([], [{ name: 'q', shape: [48], type: GGML.Q8_0, bytes: new Uint8Array(51) }]);
    await expect(readGgufHeader(src(partial))).rejects.toThrow(/rows of 48 are not whole blocks of 32/);
  });
});

describe('GGUF llama checkpoints', () => {
  it('translates metadata to a HF config and names to HF names', async () => {
    const reader = await openGguf(src(llamaGguf(model, GGML.F32).bytes));
    expect(reader.config).toMatchObject({
      architectures: ['LlamaForCausalLM'], vocab_size: 128, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2,
      num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, max_position_embeddings: 128, rope_theta: 10000,
      tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 2,
    });
    expect(reader.config.rms_norm_eps).toBeCloseTo(1e-5, 10);
    expect([...reader.tensors.keys()].sort()).toEqual(model.tensors.map((t) => t.name).sort());
    for (const t of model.tensors) expect(reader.tensors.get(t.name)?.shape).toEqual(t.shape);
    const tied = await openGguf(src(llamaGguf(tinyLlama(5, { tied: true }), GGML.F32).bytes));
    expect(tied.config.tie_word_embeddings).toBe(true);
  });

  for (const [label, type] of [['F32', GGML.F32], ['F16', GGML.F16], ['Q8_0', GGML.Q8_0], ['Q4_0', GGML.Q4_0]] as const) {
    it(`${label}: every tensor equals its source / dequantized reference exactly, q/k un-permuted`, async () => {
      const g = llamaGguf(model, type, { alignment: type === GGML.Q4_0 ? 64 : 32 });
      const reader = await openGguf(src(g.bytes));
      for (const t of model.tensors) {
        const got = await reader.readF32(t.name);
        expectBitEqual(got, g.expected.get(t.name)!, t.name);
        if (type === GGML.F32) expectBitEqual(got, t.data, t.name);
        const q = await reader.readQuantized!(t.name);
        if ((type === GGML.Q8_0 || type === GGML.Q4_0) && t.shape.length === 2) {
          expect(q?.kind).toBe(type === GGML.Q8_0 ? 'q8' : 'q4');
          expect([q!.rows, q!.cols]).toEqual(t.shape);
          expectBitEqual(dequantize(q!), g.expected.get(t.name)!, `${t.name} repacked`);
        } else expect(q).toBeNull();
      }
    });
  }

  it('un-permutation inverts llama.cpp permute (rows, and packed code/scale rows alike)', () => {
    const rows = 48, cols = 32;
    const w = randomArray(rows * cols, 11);
    for (const heads of [1, 2, 3, 6]) {
      const p = llamaCppPermute(w, rows, cols, heads);
      expect(p).not.toEqual(w);
      expect(unpermuteRows(p, rows, cols, heads)).toEqual(w);
      expect(permuteRows(w, rows, cols, heads)).toEqual(p);
    }
    const codes = Uint32Array.from({ length: rows * 4 }, (_, i) => i * 2654435761);
    expect(unpermuteRows(permuteRows(codes, rows, 4, 3), rows, 4, 3)).toEqual(codes);
  });

  it('Q4_K and Q6_K decode per ggml block layout', () => {
    const rnd = randomArray(4096, 21, 1);
    let k = 0;
    const int = (n: number) => Math.floor(((rnd[k++ % rnd.length] + 1) / 2) * n) % n;
    const blocks: Uint8Array[] = [];
    const want: number[] = [];
    for (let b = 0; b < 2; b++) {
      const d = halfToFloat(floatToHalf(0.01 * (b + 1))), dmin = halfToFloat(floatToHalf(0.003));
      const sc = Array.from({ length: 8 }, () => int(64)), m = Array.from({ length: 8 }, () => int(64));
      const q = Array.from({ length: 256 }, () => int(16));
      blocks.push(packQ4K(d, dmin, sc, m, q));
      for (let e = 0; e < 256; e++) want.push(Math.fround(Math.fround(d * sc[e >> 5]) * q[e]) - Math.fround(dmin * m[e >> 5]));
    }
    const bytes = new Uint8Array(288);
    bytes.set(blocks[0]);
    bytes.set(blocks[1], 144);
    expect(decodeGgml(GGML_TYPES[GGML.Q4_K], bytes, 512)).toEqual(Float32Array.from(want));

    const d6 = halfToFloat(floatToHalf(0.02));
    const sc6 = Array.from({ length: 16 }, () => int(256) - 128);
    const q6 = Array.from({ length: 256 }, () => int(64));
    const want6 = q6.map((q, e) => Math.fround(Math.fround(d6 * sc6[e >> 4]) * (q - 32)));
    expect(decodeGgml(GGML_TYPES[GGML.Q6_K], packQ6K(d6, sc6, q6), 256)).toEqual(Float32Array.from(want6));
  });

  it('refuses unsupported quantization types, naming the supported ones', async () => {
    const bytes = encodeGguf([['general.architecture', 'str', 'llama'], ['llama.embedding_length', 'u32', 64], ['llama.attention.head_count', 'u32', 4],
      ['llama.feed_forward_length', 'u32', 96], ['llama.block_count', 'u32', 1], ['llama.context_length', 'u32', 64], ['llama.vocab_size', 'u32', 8]],
    [{ name: 'blk.0.attn_q.weight', shape: [64, 64], type: GGML.IQ4_NL, bytes: new Uint8Array(64 * 2 * 18) }]);
    const err = await openGguf(src(bytes)).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedDtypeError);
    expect(err.message).toMatch(/stored as IQ4_NL.*supported: F32, F16, Q8_0, Q4_0, Q4_K, Q6_K/);
  });

  it('refuses non-llama architectures', async () => {
    const err = await openGguf(src(encodeGguf([['general.architecture', 'str', 'gpt2']], []))).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedArchitectureError);
    expect(err.message).toMatch(/gpt2.*supports LlamaForCausalLM, MistralForCausalLM/);
  });

  it('resolves a folder with a .gguf and tokenizer.json; with neither tokenizer.json nor tokenizer metadata it says what to add', async () => {
    const dir = join(tmp, 'gg');
    writeModelMeta(dir, {});
    rmSync(join(dir, 'config.json'));
    writeFileSync(join(dir, 'tiny.Q8_0.gguf'), llamaGguf(model, GGML.Q8_0).bytes);
    const r = await resolveModel({ kind: 'files', files: nodeFolder(dir) });
    expect(r.format).toBe('gguf');
    expect(r.config.hidden_size).toBe(64);
    expect(r.tokenizerJson.model).toBeTruthy();
    expect(r.tokenizerSource).toMatch(/^tokenizer\.json beside tiny\.Q8_0\.gguf \(preferred/);
    expect(r.files.map((f) => f.name)).toContain('tiny.Q8_0.gguf');
    await r.reader.close?.();
    rmSync(join(dir, 'tokenizer.json'));
    const err = await resolveModel({ kind: 'files', files: nodeFolder(dir), gguf: 'tiny.Q8_0.gguf' }).catch((e) => e);
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.message).toMatch(/tiny\.Q8_0\.gguf has no tokenizer \(no tokenizer\.ggml\.tokens metadata\).*tokenizer\.json/);
  });
});
