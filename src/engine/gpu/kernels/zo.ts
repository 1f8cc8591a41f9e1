// Kernel wrappers of the ZO step (MeZO, Malladi et al. 2023, Alg. 1): perturbation and optimizer
// update over one ParamRange (shaders/zo_perturb.wgsl, zo_update.wgsl, both prepended with
// rng.wgsl and zo_common.wgsl) and the one-thread projected-gradient / Cons-choice kernel
// (zo_grad.wgsl). Everything is bound at construction; encode() records one dispatch.
import rngCode from '../../../../shaders/rng.wgsl?raw';
import commonCode from '../../../../shaders/zo_common.wgsl?raw';
import perturbCode from '../../../../shaders/zo_perturb.wgsl?raw';
import updateCode from '../../../../shaders/zo_update.wgsl?raw';
import gradCode from '../../../../shaders/zo_grad.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import { ZO_STEP_FIELDS, type ZoStepScalars } from '../../defs/zoConfig';
import { LOSS_SLOT_F32 } from '../../defs/zoScript';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 64;
const PERTURB_CODE = `${rngCode}\n${commonCode}\n${perturbCode}`;
const UPDATE_CODE = `${rngCode}\n${commonCode}\n${updateCode}`;
const GRAD_CODE = `${commonCode}\n${gradCode}`;

/** Elements theta[offset, offset + count) of `buffer` (f32), perturbed with z of `stream`. */
export interface ParamRange {
  buffer: DeviceBuffer;
  /** In f32 elements (any alignment). */
  offset: number;
  count: number;
  /** RNG stream id: unique per range; z depends on (stream, index inside the range), not on offset. */
  stream: number;
  /** Weight decay applies (false for norms and biases). */
  decay: boolean;
  /** Perturbation scale s of this block (u = s z; ZO Fine-tuner's per-block variance is s^2); default 1 (MeZO). */
  scale?: number;
}

/** The ZoStep uniform (zo_common.wgsl), written once per step. */
export class ZoStepUniform {
  private readonly block: ParamBlock<keyof ZoStepScalars>;
  constructor(ctx: WebGpu) {
    this.block = new ParamBlock<keyof ZoStepScalars>(ctx, 'zo-step', ZO_STEP_FIELDS);
  }
  get buffer(): DeviceBuffer {
    return this.block.buffer;
  }
  set(s: ZoStepScalars): void {
    this.block.set(s);
  }
}

/** The ZoRange uniform of one range, written once at load. */
export function rangeUniform(ctx: WebGpu, r: ParamRange): DeviceBuffer {
  const p = new ParamBlock<'offset' | 'count' | 'stream' | 'decay' | 'scale'>(ctx, `zo-range-${r.stream}`, [
    { name: 'offset', type: 'u32' },
    { name: 'count', type: 'u32' },
    { name: 'stream', type: 'u32' },
    { name: 'decay', type: 'f32' },
    { name: 'scale', type: 'f32' },
  ]);
  p.set({ offset: r.offset, count: r.count, stream: r.stream, decay: r.decay ? 1 : 0, scale: r.scale ?? 1 });
  return p.buffer;
}

/** theta += coef * eps * z_j over one range. */
export class ZoPerturbKernel implements Dispatchable {
  readonly label: string;
  private readonly kernel: BoundKernel;
  constructor(ctx: WebGpu, range: ParamRange, rangeParams: DeviceBuffer, step: DeviceBuffer, j: number, coef: number) {
    this.label = `zo-perturb-${range.stream}-${j}-${coef}`;
    this.kernel = new BoundKernel(ctx, {
      name: 'zo_perturb',
      code: PERTURB_CODE,
      entryPoint: 'perturb',
      constants: { WG, J: j, COEF: coef },
      bindings: [range.buffer, rangeParams, step],
      grid: linearGrid(Math.ceil(range.count / 4), WG),
      label: this.label,
    });
  }
  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }
}

export interface ZoUpdateSpec {
  entryPoint: string;
  q: number;
  /** A fixed move coefficient, or 'choice' to read it from summary[q]. */
  coef: number | 'choice';
  /** Apply theta += restore.coef * eps * z_j before the update, in the same pass. */
  restore?: { j: number; coef: number };
  summary: DeviceBuffer;
  /** 0, 1 or 2 state buffers of range.count f32 each. */
  state: DeviceBuffer[];
}

/** The optimizer update along d = (1/q) sum_j g_j z_j over one range. */
export class ZoUpdateKernel implements Dispatchable {
  readonly label: string;
  private readonly kernel: BoundKernel;
  constructor(ctx: WebGpu, range: ParamRange, rangeParams: DeviceBuffer, step: DeviceBuffer, spec: ZoUpdateSpec) {
    this.label = `zo-${spec.entryPoint}-${range.stream}-${spec.coef}${spec.restore ? `-restore${spec.restore.j}` : ''}`;
    const fromChoice = spec.coef === 'choice';
    if (spec.restore && (spec.restore.j < 0 || spec.restore.j >= spec.q)) throw new Error(`restore of perturbation ${spec.restore.j} outside 0..${spec.q - 1}`);
    this.kernel = new BoundKernel(ctx, {
      name: 'zo_update',
      code: UPDATE_CODE,
      entryPoint: spec.entryPoint,
      constants: {
        WG, Q: spec.q, COEF: fromChoice ? 0 : (spec.coef as number), COEF_FROM_CHOICE: fromChoice ? 1 : 0,
        RESTORE: spec.restore ? 1 : 0, RESTORE_J: spec.restore?.j ?? 0, RESTORE_COEF: spec.restore?.coef ?? 0,
      },
      bindings: [range.buffer, rangeParams, step, spec.summary, ...spec.state],
      grid: linearGrid(Math.ceil(range.count / 4), WG),
      label: this.label,
    });
  }
  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }
}

/** Projected gradients (entry 'projected_grad') or the ZO-SGD-Cons choice ('cons_select'). */
export class ZoGradKernel implements Dispatchable {
  readonly label: string;
  private readonly kernel: BoundKernel;
  constructor(
    ctx: WebGpu,
    entryPoint: 'projected_grad' | 'cons_select',
    o: { losses: DeviceBuffer; summary: DeviceBuffer; step: DeviceBuffer; q: number; oneSided: boolean; roundF16: boolean },
  ) {
    this.label = `zo-${entryPoint}`;
    this.kernel = new BoundKernel(ctx, {
      name: 'zo_grad',
      code: GRAD_CODE,
      entryPoint,
      constants: { Q: o.q, SLOT: LOSS_SLOT_F32, ONE_SIDED: o.oneSided ? 1 : 0, ROUND_F16: o.roundF16 ? 1 : 0 },
      bindings: entryPoint === 'projected_grad' ? [o.losses, o.summary, o.step] : [o.losses, o.summary],
      grid: [1, 1, 1],
      label: this.label,
    });
  }
  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }
}
