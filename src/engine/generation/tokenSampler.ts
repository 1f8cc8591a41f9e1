// Next-token sampling on the CPU from the read-back logits of each sequence's last position
// (fine for the small batches a browser decodes: [batch, vocab] floats per step). Greedy
// (temperature 0) takes the first argmax; otherwise logits / temperature, then top-k, then
// top-p (the smallest set of most likely tokens whose probability reaches p, as in HF's
// TopPLogitsWarper), then one draw. Draws are counter-based, Philox-4x32-10 under the key
// (seed, SAMPLE_DOMAIN) at counter (step, sequence): reproducible for a seed, and a sequence's
// draws do not depend on which other sequences share its batch.
import { philox4x32 } from '../defs/rng';

/** rng.wgsl's key.y domain tag for sampling (0 is the ZO perturbation stream). */
export const SAMPLE_DOMAIN = 0x53414d50; // "SAMP"

export interface SamplingOptions {
  /** 0 = greedy. */
  temperature: number;
  /** Keep the k most likely tokens; 0 = off. */
  topK: number;
  /** Nucleus sampling mass; 1 = off. */
  topP: number;
  seed: number;
}

const scratch = new Uint32Array(4);

/** Uniform in [0, 1) for draw `step` of sequence `sequence`. */
export function sampleUniform(seed: number, step: number, sequence: number): number {
  const x = philox4x32(step, sequence, 0, 0, seed, SAMPLE_DOMAIN, scratch);
  return ((x[0] >>> 5) * 67108864 + (x[1] >>> 6)) / 9007199254740992; // 53 random bits
}

export function argmax(logits: ArrayLike<number>, from = 0, to = logits.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (logits[i] > logits[best]) best = i;
  return best - from;
}

/** The probabilities sampling draws from (after temperature, top-k, top-p), as [token, p] pairs. */
export function samplingDistribution(logits: ArrayLike<number>, o: Pick<SamplingOptions, 'temperature' | 'topK' | 'topP'>): { tokens: number[]; probs: number[] } {
  const V = logits.length;
  if (!(o.temperature > 0)) return { tokens: [argmax(logits)], probs: [1] };
  let order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  if (o.topK > 0 && o.topK < V) order = order.slice(0, o.topK);
  const max = logits[order[0]] / o.temperature;
  let probs = order.map((i) => Math.exp(logits[i] / o.temperature - max));
  let sum = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / sum);
  if (o.topP < 1) {
    let keep = 0;
    let mass = 0;
    while (keep < probs.length && (keep === 0 || mass < o.topP)) mass += probs[keep++];
    order = order.slice(0, keep);
    probs = probs.slice(0, keep);
    sum = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / sum);
  }
  return { tokens: order, probs };
}

/** One token from a row of logits; `u` in [0, 1) (sampleUniform). */
export function sampleToken(logits: ArrayLike<number>, o: SamplingOptions, u: number): number {
  const { tokens, probs } = samplingDistribution(logits, o);
  let acc = 0;
  for (let i = 0; i < tokens.length; i++) {
    acc += probs[i];
    if (u < acc) return tokens[i];
  }
  return tokens[tokens.length - 1];
}
