// The `--model` argument parser (folder, .gguf path, URL, Hub repo id, Hub .gguf) and files
// dropped in a browser (File objects, available in Node 20) resolving like a folder.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/engine/model/loaders/byteSource';
import { CorruptFileError } from '../../src/engine/model/loaders/errors';
import { openGguf } from '../../src/engine/model/loaders/gguf/ggufLlama';
import { droppedFiles } from '../../src/engine/model/loaders/modelFiles';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { parseModelArg } from '../../src/engine/model/loaders/nodeResolve';
import { resolveModel } from '../../src/engine/model/loaders/resolveModel';
import { encodeGguf, GGML } from '../fixtures/ggufWriter';
import { writeSafetensorsModel } from '../fixtures/safetensorsWriter';
import { tinyLlama } from '../fixtures/tinyLlama';
import { expectBitEqual } from './bitEqual';

const tmp = mkdtempSync(join(tmpdir(), 'zo-res-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseModelArg', () => {
  it('tells folders, .gguf files, URLs and Hub ids apart', async () => {
    writeFileSync(join(tmp, 'm.gguf'), 'x');
    writeFileSync(join(tmp, 'notes.txt'), 'x');
    expect(await parseModelArg(tmp)).toMatchObject({ kind: 'files' });
    expect(await parseModelArg(join(tmp, 'm.gguf'))).toMatchObject({ kind: 'files', gguf: 'm.gguf' });
    expect(await parseModelArg('https://example.org/m/resolve/main')).toEqual({ kind: 'url', url: 'https://example.org/m/resolve/main' });
    expect(await parseModelArg('HuggingFaceTB/SmolLM2-135M', 'v2')).toEqual({ kind: 'hub', repo: 'HuggingFaceTB/SmolLM2-135M', revision: 'v2' });
    expect(await parseModelArg('bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf')).toMatchObject({ kind: 'hub', repo: 'bartowski/Llama-3.2-1B-Instruct-GGUF', file: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf' });
    await expect(parseModelArg(join(tmp, 'notes.txt'))).rejects.toThrow(/not a \.gguf/);
    await expect(parseModelArg('no such thing')).rejects.toThrow(/not a folder, a \.gguf file, a URL or a Hub repo id/);
  });
});

describe('dropped files', () => {
  it('a dropped folder resolves like the folder on disk', async () => {
    const model = tinyLlama(9);
    const dir = join(tmp, 'drop');
    writeSafetensorsModel(dir, model, 'F16', 2);
    const files = readdirSync(dir).map((name) => new File([readFileSync(join(dir, name))], name));
    const r = await resolveModel({ kind: 'files', files: droppedFiles('drop', files) });
    expect(r.reader.tensors.size).toBe(model.tensors.length);
    const t = model.tensors[3];
    const want = await (await resolveModel({ kind: 'files', files: nodeFolder(dir) })).reader.readF32(t.name);
    expectBitEqual(await r.reader.readF32(t.name), want);
    expect(r.files.map((f) => f.name).sort()).toContain('model-00002-of-00002.safetensors');
  });
});

describe('corrupt GGUF', () => {
  it('detects overlapping tensors', async () => {
    const kv: Parameters<typeof encodeGguf>[0] = [['general.architecture', 'str', 'llama'], ['llama.embedding_length', 'u32', 32], ['llama.attention.head_count', 'u32', 1],
      ['llama.feed_forward_length', 'u32', 32], ['llama.block_count', 'u32', 1], ['llama.context_length', 'u32', 8], ['llama.vocab_size', 'u32', 2]];
    const bytes = encodeGguf(kv, [
      { name: 'output_norm.weight', shape: [32], type: GGML.F32, bytes: new Uint8Array(128) },
      { name: 'token_embd.weight', shape: [2, 32], type: GGML.F32, bytes: new Uint8Array(256) },
    ]);
    // Point the second tensor's offset (the u64 right after its type) at the first one's data.
    const name = new TextEncoder().encode('token_embd.weight');
    let at = 0;
    for (let i = 0; i < bytes.length; i++) if (name.every((b, j) => bytes[i + j] === b)) at = i;
    const offsetPos = at + name.length + 4 + 2 * 8 + 4;
    new DataView(bytes.buffer).setBigUint64(offsetPos, 0n, true);
    const err = await openGguf(bytesSource('o.gguf', bytes)).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err.message).toMatch(/tensor token_embd\.weight has data offset 0; after the tensors before it, it must be 128/);
  });
});
