// What a tuning mode hands the ZO optimizer: the trainable parameters as f32 ranges of GPU
// buffers (each with an RNG stream id so z is regenerated per range), the hooks it adds to
// the forward pass, and how to export what it trained.
import type { LinearHook } from '../model/llama';
import type { LinearName } from '../model/weights';
import type { DeviceBuffer } from '../gpu/device';

export interface TrainableRange {
  /** Hugging Face-style name of what this range trains, e.g. model.layers.0.self_attn.q_proj.weight. */
  name: string;
  buffer: DeviceBuffer;
  /** f32 element offset into buffer. */
  offset: number;
  /** f32 elements. */
  count: number;
  /** RNG stream id: z for this range is a function of (seed, step, perturbation, stream, element). */
  stream: number;
  /** Weight decay applies (not to norms and biases). */
  decay: boolean;
  /** Perturbation scale of this block (learned block variances, training/blockScales.ts); absent = 1. */
  scale?: number;
}

export interface TrainableSet {
  mode: 'full' | 'lora' | 'sparse';
  ranges: TrainableRange[];
  hooks: LinearHook[];
  /** Number of trainable scalars. */
  parameters: number;
  /** Bytes of GPU memory the mode adds beyond the frozen model (LoRA matrices, sparse indices). */
  extraBytes: number;
  describe(): string;
  /** Frees the GPU buffers the mode made (LoRA matrices, sparse indices and values); full mode has none. */
  release?(): void;
}

export const ALL_LINEARS: readonly LinearName[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];

export function parseTargets(targets: readonly string[]): LinearName[] {
  const aliases: Record<string, LinearName> = {
    q: 'q', q_proj: 'q', k: 'k', k_proj: 'k', v: 'v', v_proj: 'v', o: 'o', o_proj: 'o',
    gate: 'gate', gate_proj: 'gate', up: 'up', up_proj: 'up', down: 'down', down_proj: 'down',
  };
  return targets.map((t) => {
    const name = aliases[t];
    if (!name) throw new Error(`unknown projection "${t}"; use one of q, k, v, o, gate, up, down`);
    return name;
  });
}

/** "0,1,4-5" -> [0, 1, 4, 5]; "" or "all" -> [] (every layer). */
export function parseLayerList(spec: string): number[] {
  const out: number[] = [];
  if (spec.trim().toLowerCase() === 'all') return out;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`layers are indices and ranges like 0,1,4-5; got "${part}"`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a) throw new Error(`layer range ${part} runs backwards`);
    for (let i = a; i <= b; i++) if (!out.includes(i)) out.push(i);
  }
  return out;
}

/** "q, v_proj" -> ["q", "v_proj"], checked against the known projections; "" or "all" -> []. */
export function parseProjectionList(spec: string): string[] {
  const names = spec.split(',').map((t) => t.trim()).filter(Boolean);
  if (names.length === 1 && names[0].toLowerCase() === 'all') return [];
  parseTargets(names); // throws with the allowed names
  return names;
}
