// The CPU backend's ZO step kernels (zo_perturb / zo_update / zo_grad twins) and loss kernel
// (loss.wgsl twin). The ZoStepPlan drives them exactly as it drives the WebGPU ones: the same
// ops of the same script (defs/zoScript.ts), the same step uniform layout (ZO_STEP_FIELDS), the
// same losses and summary buffers. The arithmetic is the CPU reference's (cpu/zo.ts, the
// optimizers of defs/zoOptimizers.ts, cpu/loss.ts), so a CPU-backend run and a ZoCpuPlan run of
// one config perform the same float operations in the same order.
import type { Kernel, LossKernelOps, ZoGradOptions, ZoMixedOps, ZoProbeOps, ZoStepParams } from '../../gpu/backend';
import { MAX_MIX_TERMS, type MixTerm } from '../../defs/zoMix';
import { mixedAxpyCpu, mixedSquaredNormCpu } from '../../cpu/zoMixed';
import type { ProbeRange } from '../../gpu/kernels/zoProbe';
import { gaussianRange } from '../../defs/rng';
import type { ComputePass, DeviceBinding, DeviceBuffer } from '../../gpu/device';
import type { MemoryCategory } from '../../gpu/ledger';
import type { ParamRange, ZoUpdateSpec } from '../../gpu/kernels/zo';
import type { LossBuffers } from '../../gpu/kernels/loss';
import { ZO_STEP_FIELDS, type ZoStepScalars } from '../../defs/zoConfig';
import { ZO_OPTIMIZERS, type ZoOptimizer } from '../../defs/zoOptimizers';
import { LOSS_SLOT_F32, lossSlotCount } from '../../defs/zoScript';
import { DEFAULT_LOSS_COEFFICIENTS, OBJECTIVE_CODE, type LossCoefficients, type LossObjective, type ScoredExample, type ScoringPlan } from '../../defs/lossPlan';
import { consSelectCpu, directionCpu, perturbRangeCpu, projectedGradCpu, type CpuParamRange } from '../../cpu/zo';
import { lossRef } from '../../cpu/loss';
import { CpuKernel, cpuBuffer, cpuPass, type CpuBuffer } from './buffer';

/** What the CPU kernels need of their backend: allocation and release through its ledger. */
export interface CpuMemory {
  createStorage(label: string, bytes: number, category: MemoryCategory): CpuBuffer;
  release(buffer: DeviceBuffer): void;
}

/** The step uniform as 12 words in ZO_STEP_FIELDS order; kernels read it back when they run. */
export class CpuZoStepParams implements ZoStepParams {
  readonly buffer: CpuBuffer;
  constructor(mem: CpuMemory) {
    this.buffer = mem.createStorage('zo-step', ZO_STEP_FIELDS.length * 4, 'scratch');
  }
  set(s: ZoStepScalars): void {
    ZO_STEP_FIELDS.forEach((f, i) => {
      if (f.type === 'u32') this.buffer.u32[i] = s[f.name] >>> 0;
      else this.buffer.f32[i] = s[f.name];
    });
  }
}

export function readStepScalars(step: DeviceBuffer): ZoStepScalars {
  const b = cpuBuffer(step);
  const s = {} as ZoStepScalars;
  ZO_STEP_FIELDS.forEach((f, i) => {
    s[f.name] = f.type === 'u32' ? b.u32[i] : b.f32[i];
  });
  return s;
}

/** The ZoRange uniform's values (offset, count, stream, decay, scale), kept for parity with WebGPU. */
export function cpuRangeParams(mem: CpuMemory, r: ParamRange): CpuBuffer {
  const b = mem.createStorage(`zo-range-${r.stream}`, 20, 'scratch');
  b.u32.set([r.offset, r.count, r.stream], 0);
  b.f32[3] = r.decay ? 1 : 0;
  b.f32[4] = r.scale ?? 1;
  return b;
}

function cpuRange(r: ParamRange): CpuParamRange {
  return { array: cpuBuffer(r.buffer).f32, offset: r.offset, count: r.count, stream: r.stream, decay: r.decay, scale: r.scale };
}

/** theta += coef * eps * z_j over one range. */
export class CpuZoPerturb extends CpuKernel implements Kernel {
  readonly label: string;
  constructor(private readonly range: ParamRange, private readonly step: DeviceBuffer, private readonly j: number, private readonly coef: number) {
    super();
    this.label = `zo-perturb-${range.stream}-${j}-${coef}`;
  }
  protected run(): void {
    perturbRangeCpu(cpuRange(this.range), readStepScalars(this.step), this.j, this.coef);
  }
}

export function optimizerOf(entryPoint: string): ZoOptimizer {
  const opt = Object.values(ZO_OPTIMIZERS).find((o) => o.entryPoint === entryPoint);
  if (!opt) throw new Error(`no ZO optimizer has the update entry point ${entryPoint}`);
  return opt;
}

/** The optimizer update along d = (1/q) sum_j g_j z_j (after the folded restore, if any). */
export class CpuZoUpdate extends CpuKernel implements Kernel {
  readonly label: string;
  private readonly opt: ZoOptimizer;
  /** The direction d, made on the first run (the WASM subclass never needs it). */
  private d: Float32Array<ArrayBuffer> | null = null;
  constructor(private readonly paramRange: ParamRange, private readonly step: DeviceBuffer, private readonly spec: ZoUpdateSpec) {
    super();
    this.label = `zo-${spec.entryPoint}-${paramRange.stream}-${spec.coef}${spec.restore ? `-restore${spec.restore.j}` : ''}`;
    if (spec.restore && (spec.restore.j < 0 || spec.restore.j >= spec.q)) throw new Error(`restore of perturbation ${spec.restore.j} outside 0..${spec.q - 1}`);
    this.opt = optimizerOf(spec.entryPoint);
  }
  protected run(): void {
    const { spec } = this;
    const range = cpuRange(this.paramRange);
    const state = spec.state.map((b) => cpuBuffer(b).f32.subarray(0, range.count));
    this.d ??= new Float32Array(range.count);
    const s = readStepScalars(this.step);
    if (spec.restore) perturbRangeCpu(range, s, spec.restore.j, spec.restore.coef);
    const summary = cpuBuffer(spec.summary).f32;
    const c = spec.coef === 'choice' ? summary[spec.q] : spec.coef;
    const d = directionCpu(range, s, summary.subarray(0, spec.q), this.d);
    this.opt.step(range.array, range.offset, d, state, s, c, range.decay ? s.weightDecay : 0);
  }
}

/** Projected gradients from the loss slots into the summary, or the ZO-SGD-Cons choice. */
export class CpuZoGrad extends CpuKernel implements Kernel {
  readonly label: string;
  constructor(private readonly entryPoint: 'projected_grad' | 'cons_select', private readonly o: ZoGradOptions) {
    super();
    this.label = `zo-${entryPoint}`;
  }
  protected run(): void {
    const { q } = this.o;
    const losses = cpuBuffer(this.o.losses).f32;
    const slots = new Float32Array(lossSlotCount(q));
    for (let s = 0; s < slots.length; s++) slots[s] = losses[s * LOSS_SLOT_F32];
    const summary = cpuBuffer(this.o.summary).f32;
    if (this.entryPoint === 'cons_select') consSelectCpu(q, slots, summary);
    else summary.set(projectedGradCpu(q, slots, readStepScalars(this.o.step), this.o.oneSided, this.o.roundF16));
  }
}

const OBJECTIVE_OF = Object.fromEntries(Object.entries(OBJECTIVE_CODE).map(([name, code]) => [code, name])) as Record<number, LossObjective>;

/** The examples a scoring plan's words describe (defs/lossPlan.ts buildScoringPlan, read back). */
export function examplesOfPlan(plan: ScoringPlan): ScoredExample[] {
  const { words, aux, candidateBase, tokenBase } = plan;
  return Array.from({ length: plan.examples }, (_, e) => {
    const [candStart, candCount, label, code] = words.subarray(4 * e, 4 * e + 4);
    const candidates: number[][] = [];
    const reference: number[] = [];
    for (let c = candStart; c < candStart + candCount; c++) {
      const start = words[candBase(candidateBase, c)];
      const count = words[candBase(candidateBase, c) + 1];
      candidates.push(Array.from(words.subarray(tokenBase + start, tokenBase + start + count)));
      reference.push(aux[2 * c]);
    }
    return { candidates, label, objective: OBJECTIVE_OF[code], reference, advantage: aux[2 * candStart + 1] };
  });
}
const candBase = (base: number, c: number) => base + 2 * c;

/** Per-example and batch-mean losses from a scoring plan (shaders/loss.wgsl's twin). */
export class CpuLoss implements LossKernelOps {
  readonly label = 'loss';
  readonly buffers: LossBuffers;
  private examples: ScoredExample[] = [];
  private coefficients: LossCoefficients = DEFAULT_LOSS_COEFFICIENTS;
  private readonly targets: DeviceBinding[];

  constructor(
    private readonly mem: CpuMemory,
    private readonly logprobs: DeviceBuffer,
    readonly limits: { maxExamples: number; maxCandidates: number; maxPlanWords: number },
    extraBatchTargets: DeviceBinding[] = [],
  ) {
    this.buffers = {
      plan: mem.createStorage('loss-plan', limits.maxPlanWords * 4, 'activations'),
      scores: mem.createStorage('loss-scores', limits.maxCandidates * 4, 'activations'),
      exampleLoss: mem.createStorage('loss-examples', limits.maxExamples * 4, 'activations'),
      batchLoss: mem.createStorage('loss-batch', 4, 'activations'),
      aux: mem.createStorage('loss-aux', limits.maxCandidates * 8, 'activations'),
    };
    this.targets = [{ buffer: this.buffers.batchLoss }, ...extraBatchTargets];
  }

  setPlan(plan: ScoringPlan): void {
    const { maxExamples, maxCandidates, maxPlanWords } = this.limits;
    if (plan.examples > maxExamples || plan.candidates > maxCandidates || plan.words.length > maxPlanWords) {
      throw new Error(`scoring plan (${plan.examples} examples, ${plan.candidates} candidates) exceeds the loss kernel's limits`);
    }
    cpuBuffer(this.buffers.plan).u32.set(plan.words);
    if (plan.aux.length) cpuBuffer(this.buffers.aux).f32.set(plan.aux);
    this.examples = examplesOfPlan(plan);
  }

  setCoefficients(c: LossCoefficients): void {
    this.coefficients = { ...c };
  }

  encode(pass: ComputePass, target = 0): void {
    const t = this.targets[target];
    if (!t) throw new Error(`loss: no batch-loss target ${target}`);
    cpuPass(pass).work.push(() => this.run(t));
  }

  private run(target: DeviceBinding): void {
    const r = lossRef(cpuBuffer(this.logprobs).f32, this.examples, this.coefficients);
    cpuBuffer(this.buffers.scores).f32.set(r.scores);
    cpuBuffer(this.buffers.exampleLoss).f32.set(r.exampleLoss);
    cpuBuffer(target.buffer).f32[(target.offset ?? 0) / 4] = r.batchLoss;
  }

  destroy(): void {
    for (const b of Object.values(this.buffers)) this.mem.release(b);
  }
}

/** theta[range] = snapshot + coef z (shaders/zo_probe.wgsl), z from the TypeScript RNG. */
export class CpuZoProbe extends CpuKernel implements ZoProbeOps {
  readonly label = 'zo-probe';
  protected seed = 0;
  protected step = 0;
  protected j = 0;
  protected coef = 0;
  constructor(protected readonly range: ProbeRange, protected readonly snapshot: DeviceBuffer) {
    super();
  }
  set(seed: number, step: number, j: number, coef: number): void {
    this.seed = seed >>> 0;
    this.step = step >>> 0;
    this.j = j >>> 0;
    this.coef = Math.fround(coef);
  }
  protected run(): void {
    const { offset, count, stream } = this.range;
    const theta = cpuBuffer(this.range.buffer).f32;
    const snap = cpuBuffer(this.snapshot).f32;
    const z = gaussianRange(this.seed, this.step, this.j, stream, count);
    for (let i = 0; i < count; i++) theta[offset + i] = Math.fround(snap[i] + Math.fround(this.coef * z[i]));
  }
}

/** ZOPrO's mixed direction over every range (shaders/zo_mixed.wgsl) with the TypeScript references. */
export class CpuZoMixed implements ZoMixedOps {
  protected seed = 0;
  protected terms: MixTerm[] = [];
  protected alpha = 0;
  constructor(protected readonly ranges: readonly ParamRange[]) {}
  setDirection(seed: number, terms: readonly MixTerm[], alpha = 0): void {
    if (terms.length > MAX_MIX_TERMS) throw new Error(`a mixed direction holds at most ${MAX_MIX_TERMS} terms`);
    this.seed = seed >>> 0;
    this.terms = terms.map((t) => ({ step: t.step >>> 0, coef: Math.fround(t.coef) }));
    this.alpha = Math.fround(alpha);
  }
  setAlpha(alpha: number): void {
    this.alpha = Math.fround(alpha);
  }
  /** theta += alpha z over every range, with the direction and alpha set when the pass runs. */
  encodeAxpy(pass: ComputePass): void {
    cpuPass(pass).work.push(() => this.axpy());
  }
  protected axpy(): void {
    for (const r of this.ranges) mixedAxpyCpu({ array: cpuBuffer(r.buffer).f32, offset: r.offset, count: r.count, stream: r.stream, decay: r.decay }, this.seed, this.terms, this.alpha);
  }
  async squaredNorm(): Promise<number> {
    return mixedSquaredNormCpu(this.ranges, this.seed, this.terms);
  }
  destroy(): void {}
}
