// Full-parameter MeZO: every f32 weight (or the chosen layers / projection types) is
// perturbed and updated in place. Needs f32 weights: a quantized base cannot be nudged by eps.
import type { ModelWeights, LinearName } from '../model/weights';
import { LINEAR_HF_NAMES } from '../model/weights';
import type { TrainableRange, TrainableSet } from './trainable';
import type { DeviceBuffer } from '../gpu/device';

export interface FullModeOptions {
  /** Layer indices to train; all when absent. */
  layers?: number[];
  /** Projection types to train; all linear layers when absent. */
  projections?: LinearName[];
  /** Also train norms, embeddings, the LM head and q/k/v biases (only when no subset is given). */
  includeNonLinear?: boolean;
}

export function fullTrainable(weights: ModelWeights, o: FullModeOptions = {}): TrainableSet {
  if (weights.format !== 'f32') {
    throw new Error(`full-parameter tuning needs f32 weights, but the model is loaded as ${weights.format}; reload it as f32, or use LoRA or sparse mode over a quantized base`);
  }
  const subset = o.layers !== undefined || o.projections !== undefined;
  const bad = (o.layers ?? []).filter((i) => !Number.isInteger(i) || i < 0 || i >= weights.layers.length);
  if (bad.length) throw new Error(`layer ${bad.join(', ')} does not exist: this model has layers 0..${weights.layers.length - 1}`);
  const ranges: TrainableRange[] = [];
  const seen = new Set<DeviceBuffer>();
  const add = (name: string, buffer: DeviceBuffer, count: number, decay: boolean) => {
    if (seen.has(buffer)) return; // a tied LM head is the embedding table: train it once
    seen.add(buffer);
    ranges.push({ name, buffer, offset: 0, count, stream: ranges.length, decay });
  };
  const includeAll = !subset && o.includeNonLinear !== false;
  if (includeAll) add('model.embed_tokens.weight', weights.embed.data, weights.embed.rows * weights.embed.cols, true);
  weights.layers.forEach((layer, i) => {
    if (o.layers && !o.layers.includes(i)) return;
    const p = `model.layers.${i}.`;
    if (includeAll) add(`${p}input_layernorm.weight`, layer.inputNorm, layer.inputNorm.size / 4, false);
    for (const name of Object.keys(LINEAR_HF_NAMES) as LinearName[]) {
      if (o.projections && !o.projections.includes(name)) continue;
      const w = layer[name];
      add(`${p}${LINEAR_HF_NAMES[name]}.weight`, w.data, w.rows * w.cols, true);
    }
    if (includeAll) add(`${p}post_attention_layernorm.weight`, layer.postNorm, layer.postNorm.size / 4, false);
    // Qwen2's q/k/v biases train with the other non-linear parameters (no weight decay).
    if (includeAll && layer.bias) {
      for (const name of ['q', 'k', 'v'] as const) add(`${p}${LINEAR_HF_NAMES[name]}.bias`, layer.bias[name], layer.bias[name].size / 4, false);
    }
  });
  if (includeAll) {
    add('model.norm.weight', weights.finalNorm, weights.finalNorm.size / 4, false);
    add('lm_head.weight', weights.lmHead.data, weights.lmHead.rows * weights.lmHead.cols, true);
  }
  const parameters = ranges.reduce((n, r) => n + r.count, 0);
  return {
    mode: 'full',
    ranges,
    hooks: [],
    parameters,
    extraBytes: 0,
    describe: () => `full: ${parameters.toLocaleString('en-US')} f32 parameters in ${ranges.length} tensors`,
  };
}
