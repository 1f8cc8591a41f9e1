// LoRA under ZO (as in MeZO's LoRA runs): W x + (alpha / r) B A x on the chosen projections,
// A initialised like PEFT (Kaiming-uniform, bound 1/sqrt(in)), B = 0 so training starts from
// exactly the base model. The base stays frozen at any precision, q4 included.
import type { Backend } from '../gpu/backend';
import type { LinearHook } from '../model/llama';
import type { LinearName, ModelWeights } from '../model/weights';
import { LINEAR_HF_NAMES } from '../model/weights';
import type { TrainableRange, TrainableSet } from './trainable';
import { seededUniform } from './seededUniform';
import type { DeviceBuffer } from '../gpu/device';

export interface LoraOptions {
  rank: number;
  alpha: number;
  targets: LinearName[];
  /** Seed for A's initialisation. */
  seed: number;
}

export interface LoraAdapter {
  layer: number;
  target: LinearName;
  a: DeviceBuffer; // f32 [rank, in]
  b: DeviceBuffer; // f32 [out, rank]
  inDim: number;
  outDim: number;
}

export interface LoraTrainable extends TrainableSet {
  adapters: LoraAdapter[];
  options: LoraOptions;
}

export function loraTrainable(ctx: Backend, weights: ModelWeights, o: LoraOptions): LoraTrainable {
  if (!(o.rank >= 1 && Number.isInteger(o.rank))) throw new Error(`LoRA rank must be a positive integer, got ${o.rank}`);
  const adapters: LoraAdapter[] = [];
  const ranges: TrainableRange[] = [];
  weights.layers.forEach((layer, i) => {
    for (const target of o.targets) {
      const w = layer[target];
      const name = `base_model.model.model.layers.${i}.${LINEAR_HF_NAMES[target]}`;
      const bound = 1 / Math.sqrt(w.cols);
      const a = ctx.storageFrom(`${name}.lora_A`, seededUniform(o.rank * w.cols, o.seed * 7919 + adapters.length, bound), 'trainable');
      const b = ctx.storageFrom(`${name}.lora_B`, new Float32Array(w.rows * o.rank), 'trainable');
      adapters.push({ layer: i, target, a, b, inDim: w.cols, outDim: w.rows });
      ranges.push({ name: `${name}.lora_A.weight`, buffer: a, offset: 0, count: o.rank * w.cols, stream: ranges.length, decay: true });
      ranges.push({ name: `${name}.lora_B.weight`, buffer: b, offset: 0, count: w.rows * o.rank, stream: ranges.length, decay: true });
    }
  });
  const byKey = new Map(adapters.map((ad) => [`${ad.layer}.${ad.target}`, ad]));
  const hook: LinearHook = {
    build(hookCtx, layer, name, x, y, maxRows) {
      const ad = byKey.get(`${layer}.${name}`);
      if (!ad) return null;
      return hookCtx.kernels.lora({
        x, y, a: ad.a, b: ad.b, inDim: ad.inDim, outDim: ad.outDim, rank: o.rank, scale: o.alpha / o.rank, maxRows,
        label: `L${layer}.${name}.lora`,
      });
    },
  };
  const parameters = ranges.reduce((n, r) => n + r.count, 0);
  return {
    mode: 'lora',
    ranges,
    hooks: [hook],
    parameters,
    extraBytes: parameters * 4,
    adapters,
    options: o,
    release: () => {
      for (const ad of adapters) {
        ctx.release(ad.a);
        ctx.release(ad.b);
      }
    },
    describe: () => `LoRA rank ${o.rank}, alpha ${o.alpha} on ${o.targets.join(', ')}: ${parameters.toLocaleString('en-US')} trainable parameters`,
  };
}
