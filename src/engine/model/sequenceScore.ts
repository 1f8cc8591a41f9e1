// Scoring whole sequences: last-position logits and mean next-token cross-entropy, the
// quantities golden.json holds and `zo-studio logits` prints. Uses one forward call:
// every position is scored, position t against token t+1.
import type { LlamaForward } from './llama';

export interface SequenceScore {
  lastLogits: Float32Array; // [vocab]
  /** Mean over positions 0..T-2 of -log p(token[t+1] | tokens[..t]) (nats). */
  meanLoss: number;
  tokenLosses: Float32Array; // [T-1]
}

export async function scoreSequence(forward: LlamaForward, ids: number[]): Promise<SequenceScore> {
  const T = ids.length;
  const positions = Uint32Array.from({ length: T }, (_, t) => t);
  // The last position has no next token; its target is a placeholder (its logprob is unused).
  const targets = Uint32Array.from({ length: T }, (_, t) => (t + 1 < T ? ids[t + 1] : 0));
  const input = { ids: Uint32Array.from(ids), batch: 1, seqLen: T, positions, targets, candidates: 1 };
  const logits = await forward.logits(input);
  const vocab = forward.config.vocabSize;
  const logprobs = await forward.ctx.readF32(forward.state.logprobs, T * forward.state.limits.maxCandidates);
  const stride = forward.state.limits.maxCandidates;
  const tokenLosses = Float32Array.from({ length: T - 1 }, (_, t) => -logprobs[t * stride]);
  const meanLoss = tokenLosses.reduce((a, b) => a + b, 0) / Math.max(T - 1, 1);
  return { lastLogits: logits.slice((T - 1) * vocab, T * vocab), meanLoss, tokenLosses };
}
