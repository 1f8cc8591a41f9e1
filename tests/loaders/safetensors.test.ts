// safetensors reader: F32 exact, F16/BF16 exactly their f32 upcasts, sharded folders identical
// to single files, and each corrupt-file case turned into a typed error. Tolerance: none
// (bit-exact), since conversion of 16-bit floats to f32 is exact.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { CorruptFileError, UnsupportedArchitectureError, UnsupportedDtypeError, MissingFileError } from '../../src/engine/model/loaders/errors';
import { halfToFloat } from '../../src/engine/defs/halfFloat';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { resolveModel } from '../../src/engine/model/loaders/resolveModel';
import { openSafetensors, readSafetensorsHeader, SafetensorsFormatError } from '../../src/engine/model/loaders/safetensors';
import { encodeSafetensors, f32ToBf16, writeModelMeta, writeSafetensorsModel } from '../fixtures/safetensorsWriter';
import { tinyLlama } from '../fixtures/tinyLlama';
import { expectBitEqual } from './bitEqual';

const tmp = mkdtempSync(join(tmpdir(), 'zo-st-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = tinyLlama(3);

describe('safetensors', () => {
  it('reads F32 exactly and F16/BF16 as their exact f32 upcasts', async () => {
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const reader = await openSafetensors(model.config, [bytesSource('m.safetensors', encodeSafetensors(model.tensors, dtype))]);
      expect(reader.tensors.size).toBe(model.tensors.length);
      for (const t of model.tensors) {
        expect(reader.tensors.get(t.name)?.shape).toEqual(t.shape);
        const got = await reader.readF32(t.name);
        const want = dtype === 'F32' ? t.data : dtype === 'BF16'
          ? new Float32Array(Uint32Array.from(f32ToBf16(t.data), (h) => h << 16).buffer)
          : Float32Array.from(new Uint16Array(encodeSafetensors([t], 'F16').buffer.slice(-2 * t.data.length)), halfToFloat);
        expectBitEqual(got, want, t.name);
        if (dtype !== 'F32') expect(got).not.toEqual(t.data); // the rounding really happened
      }
    }
  });

  it('loads a sharded folder (index.json) identically to the single file', async () => {
    writeSafetensorsModel(join(tmp, 'single'), model, 'F32');
    writeSafetensorsModel(join(tmp, 'sharded'), model, 'F32', 3);
    const a = await resolveModel({ kind: 'files', files: nodeFolder(join(tmp, 'single')) });
    const b = await resolveModel({ kind: 'files', files: nodeFolder(join(tmp, 'sharded')) });
    expect(b.files.map((f) => f.name)).toContain('model-00003-of-00003.safetensors');
    expect([...b.reader.tensors.keys()].sort()).toEqual([...a.reader.tensors.keys()].sort());
    for (const name of a.reader.tensors.keys()) expectBitEqual(await b.reader.readF32(name), await a.reader.readF32(name), name);
    expect(a.tokenizerJson.model).toBeTruthy();
    expect(a.tokenizerConfig?.add_bos_token).toBe(true);
    await a.reader.close?.();
    await b.reader.close?.();
  });

  it('refuses an index that puts a tensor in the wrong shard', async () => {
    const dir = join(tmp, 'badindex');
    writeSafetensorsModel(dir, model, 'F32', 2);
    const idx = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    idx.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(idx));
    await expect(resolveModel({ kind: 'files', files: nodeFolder(dir) })).rejects.toThrow(/model\.norm\.weight in model-00001-of-00002/);
    idx.weight_map['model.norm.weight'] = '../model-00002-of-00002.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(idx));
    await expect(resolveModel({ kind: 'files', files: nodeFolder(dir) })).rejects.toThrow(/not a \.safetensors file name beside the index/);
  });

  const one = [model.tensors[1], model.tensors[2]];
  const corrupt: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ['header length past the end', (b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(0, BigInt(b.length), true); return c; }, /header length .* runs past the end/],
    ['truncated data (offsets out of range)', (b) => b.subarray(0, b.length - 10), /inside the .* data bytes/],
    ['only a few bytes', (b) => b.subarray(0, 5), /only 5 bytes/],
    ['header not JSON', (b) => { const c = b.slice(); c[9] = 0x7b; c[10] = 0x7b; return c; }, /not JSON/],
  ];
  for (const [what, damage, message] of corrupt) {
    it(`turns ${what} into a CorruptFileError`, async () => {
      const err = await readSafetensorsHeader(bytesSource('x.safetensors', damage(encodeSafetensors(one, 'F32')))).catch((e) => e);
      expect(err).toBeInstanceOf(CorruptFileError);
      expect(err).toBeInstanceOf(SafetensorsFormatError);
      expect(err.kind).toBe('corrupt-file');
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/Download it again/);
    });
  }

  it('detects overlapping tensors and shape/size mismatches', async () => {
    const overlap = encodeSafetensors(one, 'F32', (h) => { (h[one[1].name] as { data_offsets: number[] }).data_offsets = [4, 4 + one[1].data.length * 4]; });
    await expect(readSafetensorsHeader(bytesSource('o', overlap))).rejects.toThrow(/overlap/);
    const mismatch = encodeSafetensors(one, 'F32', (h) => { (h[one[0].name] as { shape: number[] }).shape = [3, 3]; });
    await expect(readSafetensorsHeader(bytesSource('s', mismatch))).rejects.toThrow(/span of 36 bytes, what shape \[3,3\] F32 needs/);
  });

  it('checks that tensor data tiles the data section exactly, as the reference reader does', async () => {
    const bytes = encodeSafetensors(one, 'F32');
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    for (const delta of [-1, 1]) {
      // One byte off shifts every tensor (+1: a header byte is read as data, -1: the reverse); never loads.
      const shifted = bytes.slice();
      new DataView(shifted.buffer).setBigUint64(0, BigInt(headerLen + delta), true);
      await expect(readSafetensorsHeader(bytesSource('h', shifted))).rejects.toBeInstanceOf(SafetensorsFormatError);
    }
    const tail = new Uint8Array(bytes.length + 4);
    tail.set(bytes);
    await expect(readSafetensorsHeader(bytesSource('t', tail))).rejects.toThrow(/4 bytes after the last tensor belong to no tensor/);
    const gap = encodeSafetensors(one, 'F32', (h) => {
      const e = h[one[0].name] as { data_offsets: number[]; shape: number[] };
      e.data_offsets = [4, e.data_offsets[1]];
      e.shape = [one[0].data.length - 1];
    });
    await expect(readSafetensorsHeader(bytesSource('g', gap))).rejects.toThrow(/leaving 4 bytes no tensor uses/);
    const metadata = encodeSafetensors(one, 'F32', (h) => { h.__metadata__ = { format: 1 }; });
    await expect(readSafetensorsHeader(bytesSource('m', metadata))).rejects.toThrow(/__metadata__\.format is 1; expected a string/);
  });

  it('names unsupported dtypes and the supported ones', async () => {
    const bytes = encodeSafetensors(one, 'F32', (h) => { Object.assign(h[one[0].name] as object, { dtype: 'I64', shape: [one[0].data.length / 2] }); });
    const err = await readSafetensorsHeader(bytesSource('i.safetensors', bytes)).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedDtypeError);
    expect(err.message).toMatch(/stored as I64.*supported: F32, F16, BF16/);
  });

  it('refuses unsupported architectures, naming them and the supported ones', async () => {
    const dir = join(tmp, 'gpt2');
    writeModelMeta(dir, { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' });
    const err = await resolveModel({ kind: 'files', files: nodeFolder(dir) }).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedArchitectureError);
    expect(err.message).toMatch(/GPT2LMHeadModel; ZO Studio supports LlamaForCausalLM, MistralForCausalLM/);
  });

  it('says what a folder lacks', async () => {
    const dir = join(tmp, 'noweights');
    writeModelMeta(dir, model.config);
    const err = await resolveModel({ kind: 'files', files: nodeFolder(dir) }).catch((e) => e);
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.message).toMatch(/has no model\.safetensors/);
  });
});
