// The scoring forward's two shortcuts on a right-padded batch (model/llama.ts): padding rows past
// each sequence's last scored position are skipped (CPU backend, setRowSpans: the row-wise kernels and
// attention's queries), and the last block's
// output projection and MLP run on the scored rows only. Neither may change a scored value: the
// log-probs must equal, bit for bit, the same batch run with both off (a hook that needs every
// row turns them off, as calibration's does), at 1 and 2 threads, f32 and q4 weights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL } from '../helpers/paths';
import { parseLlamaConfig } from '../../src/engine/model/config';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import { buildWeights } from '../../src/engine/model/weights';
import { LlamaForward, neededSpans, type ForwardInput, type LinearHook } from '../../src/engine/model/llama';
import { CpuBackend } from '../../src/engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../../src/engine/wasm/nodePoolThread';

const rawConfig = JSON.parse(readFileSync(join(DEMO_MODEL, 'config.json'), 'utf8'));
const config = parseLlamaConfig(rawConfig);

/** 5 rows of lengths 3..11 right-padded to 11, scored at each row's last token, 2 candidates. */
function paddedBatch(): ForwardInput {
  const lengths = [7, 11, 3, 9, 5];
  const seqLen = 11;
  const ids = new Uint32Array(lengths.length * seqLen);
  lengths.forEach((n, b) => { for (let t = 0; t < n; t++) ids[b * seqLen + t] = 3 + ((b * 37 + t * 11) % 400); });
  return {
    ids, batch: lengths.length, seqLen,
    positions: Uint32Array.from(lengths, (n, b) => b * seqLen + n - 1),
    targets: Uint32Array.from({ length: lengths.length * 2 }, (_, i) => 10 + i * 7),
    candidates: 2,
  };
}

describe('neededSpans', () => {
  it('keeps each sequence up to its last scored row, merging adjacent spans', () => {
    // lengths 7, 11, 3, 9, 5 padded to 11: the second and third sequences' rows are adjacent
    expect(Array.from(neededSpans(paddedBatch())!)).toEqual([0, 7, 11, 14, 33, 9, 44, 5]);
    const full: ForwardInput = { ids: new Uint32Array(8), batch: 2, seqLen: 4, positions: Uint32Array.of(3, 7), targets: Uint32Array.of(0, 0), candidates: 1 };
    expect(neededSpans(full)).toBeNull();
  });
});

describe.each([
  [1, 'f32'], [2, 'f32'], [1, 'q4'],
] as const)('CPU backend, %i thread(s), %s weights: padded-row skipping and the scored-rows tail', (threads, precision) => {
  let cpu: CpuBackend | null = null;
  afterAll(() => cpu?.destroy());
  it('scored log-probs equal the all-rows forward bit for bit', async () => {
    cpu = await CpuBackend.create({ threads, spawn: nodePoolThread });
    const source = await nodeFolder(DEMO_MODEL).open('model.safetensors');
    const reader = await openSafetensors(rawConfig, [source!]);
    const weights = await buildWeights(cpu, config, reader, precision);
    await reader.close?.();
    const input = paddedBatch();
    const limits = { maxBatch: input.batch, maxSeqLen: input.seqLen, maxPositions: input.batch, maxCandidates: 2 };
    const everyRow: LinearHook = { allRows: true, build: () => null };
    const fast = new LlamaForward(cpu, config, weights, limits);
    const slow = new LlamaForward(cpu, config, weights, limits, [everyRow]);
    const a = await fast.logprobs(input);
    const b = await slow.logprobs(input);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(Array.from(new Uint32Array(a.buffer))).toEqual(Array.from(new Uint32Array(b.buffer)));
    fast.destroy();
    slow.destroy();
  });
});
