// Forward tokens/s of a loaded model, measured once: what the app's header says to expect on the
// CPU backend. One call of batch 1 x 32 tokens (or the model's whole context if shorter) after a
// warm-up call, through the same LlamaForward training and evaluation use.
import type { Backend } from '../gpu/backend';
import { LlamaForward } from '../model/llama';
import type { LoadedModel } from './loadedModel';

const TOKENS = 32;

export async function forwardTokensPerSecond(ctx: Backend, model: LoadedModel): Promise<number> {
  const seqLen = Math.min(TOKENS, model.config.maxPositions);
  const forward = new LlamaForward(ctx, model.config, model.weights, { maxBatch: 1, maxSeqLen: seqLen, maxPositions: 1, maxCandidates: 1 });
  try {
    // Token ids spread over the vocabulary (the speed does not depend on which).
    const ids = Uint32Array.from({ length: seqLen }, (_, t) => (1 + t * 97) % model.config.vocabSize);
    const input = { ids, batch: 1, seqLen, positions: Uint32Array.of(seqLen - 1), targets: Uint32Array.of(0), candidates: 1 };
    await forward.logprobs(input);
    const started = performance.now();
    await forward.logprobs(input);
    const seconds = Math.max((performance.now() - started) / 1000, 1e-6);
    return seqLen / seconds;
  } finally {
    forward.destroy();
  }
}
