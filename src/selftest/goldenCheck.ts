// The demo model's forward pass against golden.json (logits from an independent PyTorch
// implementation), in whatever JavaScript environment runs it: the browser self-test page uses
// it, so users (and the browser tests) can check that their GPU computes the model correctly.
// Tolerances: last-position logits max abs error <= 1e-3, mean next-token loss within 1e-4.
import type { GpuContext } from '../engine/gpu/context';
import { resolveModel } from '../engine/model/loaders/resolveModel';
import { loadModel } from '../engine/session/loadedModel';
import { LlamaForward } from '../engine/model/llama';
import { scoreSequence } from '../engine/model/sequenceScore';

export interface GoldenCase {
  prompt: string;
  input_ids: number[];
  last_logits: number[];
  mean_loss: number;
}

export interface GoldenResult {
  prompt: string;
  maxLogitError: number;
  lossError: number;
  pass: boolean;
}

export const LOGIT_TOLERANCE = 1e-3;
export const LOSS_TOLERANCE = 1e-4;

export async function checkGolden(ctx: GpuContext, modelUrl: string, cases: GoldenCase[]): Promise<GoldenResult[]> {
  const resolved = await resolveModel({ kind: 'url', url: modelUrl }, { cache: null });
  const model = await loadModel(ctx, resolved, 'f32');
  const maxLen = Math.max(...cases.map((c) => c.input_ids.length));
  const forward = new LlamaForward(ctx, model.config, model.weights, { maxBatch: 1, maxSeqLen: maxLen, maxPositions: maxLen, maxCandidates: 1 });
  const results: GoldenResult[] = [];
  for (const c of cases) {
    const score = await scoreSequence(forward, c.input_ids);
    let maxLogitError = 0;
    c.last_logits.forEach((v, i) => (maxLogitError = Math.max(maxLogitError, Math.abs(v - score.lastLogits[i]))));
    const lossError = Math.abs(score.meanLoss - c.mean_loss);
    results.push({ prompt: c.prompt, maxLogitError, lossError, pass: maxLogitError <= LOGIT_TOLERANCE && lossError <= LOSS_TOLERANCE });
  }
  return results;
}
