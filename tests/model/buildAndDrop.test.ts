// Everything built at load has a destroy() that gives its bytes back to the memory ledger: the
// model's weights, the forward pass (its kernels' uniforms and its activations), the scorer, a
// LoRA run (trainer, step plan, adapters, their hook kernels) and the KV-cache decoder. Ten
// build-and-drop cycles of the demo model end where the first one ended in every ledger category
// (the first cycle may leave the context's own reusable readback buffers and, on a GPU, its
// split-K scratch; nothing a model, a run or a decoder holds). Exact byte counts: no tolerance.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../src/engine/config';
import { loadTaskFromFiles } from '../../src/engine/data/parse';
import { KvDecoder } from '../../src/engine/generation/kvDecoder';
import { MEMORY_CATEGORIES } from '../../src/engine/gpu/ledger';
import { batchedVariantFor, SPLIT_SCRATCH_BYTES } from '../../src/engine/gpu/kernels/matmul';
import { resolveModelNode } from '../../src/engine/model/loaders/nodeResolve';
import { loadModel } from '../../src/engine/session/loadedModel';
import { Session } from '../../src/engine/session/session';
import { startRun } from '../../src/engine/session/startRun';
import { testGpu } from '../helpers/gpu';
import { REPO_ROOT } from '../helpers/paths';

describe('build and drop', () => {
  it('ten cycles of model + forward + LoRA run + KV decoder return the ledger to where the first ended', { timeout: 600_000 }, async () => {
    const ctx = await testGpu();
    const resolved = await resolveModelNode(join(REPO_ROOT, 'public', 'demo-model'), { cache: null });
    const dir = join(REPO_ROOT, 'public', 'demo-data', 'wn-animal-plant');
    const task = loadTaskFromFiles(['task.json', 'train.jsonl', 'dev.jsonl'].map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })));
    const config = { ...DEFAULT_TRAIN_CONFIG, mode: 'lora' as const, lora: { rank: 4, alpha: 8, targets: ['q', 'v'] }, steps: 1, batch: 2, evalEvery: 0 };
    const before = ctx.ledger.snapshot().current;
    const ends: Record<string, number>[] = [];
    for (let cycle = 0; cycle < 10; cycle++) {
      const session = new Session(ctx);
      session.setModel(await loadModel(ctx, resolved, 'f32'));
      session.setTask(task);
      await session.evaluate('dev', 4);
      const run = await startRun(session, config);
      await run.advance();
      expect((await run.drain())?.metrics.step).toBe(0);
      const model = session.requireModel();
      const decoder = new KvDecoder(ctx, model.config, model.weights, { maxBatch: 1, maxLen: 8, maxChunk: 4 }, run.trainable.hooks);
      expect((await decoder.step(new Uint32Array([1, 2, 3]), 1, 3, 0)).length).toBe(model.config.vocabSize);
      expect(ctx.ledger.snapshot().current.weights).toBeGreaterThan(before.weights);
      decoder.destroy();
      session.destroy();
      ends.push({ ...ctx.ledger.snapshot().current });
    }
    // On a GPU the tiled matmuls share one split-K scratch per context, made on first use and kept.
    const contextScratch = batchedVariantFor(ctx) === 'tiled' ? SPLIT_SCRATCH_BYTES : 0;
    for (const category of MEMORY_CATEGORIES) {
      expect(ends.map((e) => e[category]), category).toEqual(ends.map(() => ends[0][category]));
      if (category !== 'staging') expect(ends[0][category], category).toBe(before[category] + (category === 'scratch' ? contextScratch : 0));
    }
  });
});
