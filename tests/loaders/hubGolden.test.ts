// From a local server in Hub layout, the demo model loads through the real Hub code path
// (resolve/{revision}/{file}, Range reads, a gated repo with a token) as F32 and as BF16, and the
// forward pass matches golden.json: logits max abs error <= 1e-3 and mean loss within 1e-4 (F32);
// mean loss within 1e-4 of mean_loss_bf16_weights (BF16 upcast to f32).
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../fixtures/hubServer';
import { DEMO_MODEL } from '../helpers/paths';
import { BF16_FILE, writeDemoModelWithBf16 } from '../fixtures/demoBf16';
import { testGpu } from '../helpers/gpu';
import { resolveModel } from '../../src/engine/model/loaders/resolveModel';
import { loadModel } from '../../src/engine/session/loadedModel';
import { LlamaForward } from '../../src/engine/model/llama';
import { scoreSequence } from '../../src/engine/model/sequenceScore';

const DEMO = DEMO_MODEL;
const golden = JSON.parse(readFileSync(join(DEMO, 'golden.json'), 'utf8')) as {
  cases: { input_ids: number[]; last_logits: number[]; mean_loss: number; mean_loss_bf16_weights: number }[];
};

/** A Hub repo folder whose model.safetensors is `weights` from `from`. */
function repoDir(from: string, weights: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zo-hub-'));
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json']) symlinkSync(join(DEMO, f), join(dir, f));
  symlinkSync(join(from, weights), join(dir, 'model.safetensors'));
  return dir;
}

describe('the demo model from a Hub-layout server matches golden.json', () => {
  let hub: HubServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    const bf16 = writeDemoModelWithBf16(mkdtempSync(join(tmpdir(), 'zo-demo-bf16-')));
    dirs.push(repoDir(DEMO, 'model.safetensors'), repoDir(bf16, BF16_FILE), bf16);
    hub = await startHubServer({ 'zo/demo-f32': { dir: dirs[0] }, 'zo/demo-bf16': { dir: dirs[1], token: 'hf_test' } });
  });
  afterAll(async () => {
    await hub?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each([
    ['zo/demo-f32', undefined, 'mean_loss'],
    ['zo/demo-bf16', 'hf_test', 'mean_loss_bf16_weights'],
  ] as const)('%s', async (repo, token, lossKey) => {
    const ctx = await testGpu();
    const resolved = await resolveModel({ kind: 'hub', repo }, { endpoint: hub.endpoint, token, cache: null });
    expect(resolved.reader.tensors.get('lm_head.weight')?.dtype).toBe(repo.endsWith('bf16') ? 'BF16' : 'F32');
    const model = await loadModel(ctx, resolved, 'f32');
    const maxLen = Math.max(...golden.cases.map((c) => c.input_ids.length));
    const forward = new LlamaForward(ctx, model.config, model.weights, { maxBatch: 1, maxSeqLen: maxLen, maxPositions: maxLen, maxCandidates: 1 });
    for (const c of golden.cases) {
      const score = await scoreSequence(forward, c.input_ids);
      expect(Math.abs(score.meanLoss - c[lossKey])).toBeLessThanOrEqual(1e-4);
      if (lossKey === 'mean_loss') {
        expect(Math.max(...c.last_logits.map((v, i) => Math.abs(v - score.lastLogits[i])))).toBeLessThanOrEqual(1e-3);
      }
    }
    expect(hub.requests.some((r) => r.range !== undefined && r.status === 206)).toBe(true);
  });
});
