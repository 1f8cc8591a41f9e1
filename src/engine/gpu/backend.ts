// The backend interface: what the forward pass (model/llama.ts, model/decoderBlock.ts), the ZO
// step plan (zo/stepPlan.ts), the KV-cache decoder, the scorer, the tuning modes and the weight
// uploads are written against. Two implementations: GpuContext (WebGPU: the kernels of
// gpu/kernels, one command buffer per submit) and CpuBackend (backends/cpu: the same kernels as
// CPU code, run in the order they were recorded when the pass is submitted). One forward pass,
// one step plan and one run loop serve both; weights keep their storage formats, so a model
// loads the same way for either.
//
// Allocate at load, encode at step, on both: a kernel object binds its buffers when the factory
// makes it, setX() sizes it for the next submit, encode(pass) records it, destroy() frees it.
import type { ProbeRange } from './kernels/zoProbe';
import type { MixTerm } from '../defs/zoMix';
import type { ComputePass, DeviceBinding, DeviceBuffer, AdapterSummary, GpuFeatures, GpuLimitsSummary } from './device';
import type { MemoryCategory, MemoryLedger } from './ledger';
import type { DeviceLostError } from './errors';
import type { ZoStepScalars } from '../defs/zoConfig';
import type { LossCoefficients, ScoringPlan } from '../defs/lossPlan';
import type { MatmulOptions } from './kernels/matmul';
import type { RmsNormOptions } from './kernels/rmsnorm';
import type { RopeOptions } from './kernels/rope';
import type { BiasOptions } from './kernels/bias';
import type { SwigluOptions } from './kernels/swiglu';
import type { EmbeddingOptions } from './kernels/embedding';
import type { AttentionOptions } from './kernels/attention';
import type { DecodeAttentionOptions, KvAppendOptions } from './kernels/attentionDecode';
import type { GatherRowsOptions, LogProbOptions } from './kernels/logprob';
import type { LossBuffers } from './kernels/loss';
import type { LoraOptions } from './kernels/lora';
import type { SparseDeltaOptions } from './kernels/sparseDelta';
import type { ParamRange, ZoUpdateSpec } from './kernels/zo';

export type BackendKind = 'webgpu' | 'cpu';
export const BACKEND_KINDS: readonly BackendKind[] = ['webgpu', 'cpu'];

/** A kernel bound to its buffers: encode() records it into a pass of the backend that made it. */
export interface Kernel {
  readonly label: string;
  encode(pass: ComputePass): void;
}
export interface OwnedKernel extends Kernel {
  destroy(): void;
}
/** Sized by rows (batch x tokens) for the next submit. */
export interface RowsKernel extends OwnedKernel {
  setRows(m: number): void;
  /** Optional: of the rows set, only these spans (flattened [start, count] pairs, ascending,
   *  inside 0 .. rows) are needed and the rest may be left unwritten: a batch's padding rows that
   *  nothing scored reads (the CPU backend skips them; WebGPU computes every row). null: all. */
  setRowSpans?(spans: Uint32Array | null): void;
}
export interface RopeKernelOps extends OwnedKernel {
  setShape(batch: number, seqLen: number): void;
  setPosOffset(pos: number): void;
}
export interface AttentionKernelOps extends OwnedKernel {
  setShape(batch: number, seqLen: number): void;
}
/** KV-cache append and decode attention: n new tokens per sequence at cache position pos. */
export interface CacheKernelOps extends OwnedKernel {
  setShape(batch: number, n: number, pos: number): void;
}
/** SensZOQ calibration: sumsq[k] += sum_m x[m, k]^2 over every submit (shaders/column_norms.wgsl); destroy() releases sumsq. */
export interface ColumnNormsOps extends RowsKernel {
  readonly sumsq: DeviceBuffer;
}
/** theta[range] = snapshot + coef z(seed, step, j, range.stream) (shaders/zo_probe.wgsl): the dynamics probes. */
export interface ZoProbeOps extends OwnedKernel {
  set(seed: number, step: number, j: number, coef: number): void;
}
/**
 * ZOPrO's mixed direction z = sum_m coef_m n(step_m) over every trainable range
 * (shaders/zo_mixed.wgsl): theta += alpha z in a submit, and ||z||^2 (its own submit and read).
 */
export interface ZoMixedOps {
  setDirection(seed: number, terms: readonly MixTerm[], alpha?: number): void;
  setAlpha(alpha: number): void;
  encodeAxpy(pass: ComputePass): void;
  squaredNorm(): Promise<number>;
  destroy(): void;
}
export interface GatherKernelOps extends OwnedKernel {
  setCount(n: number): void;
}
export interface LogProbKernelOps extends OwnedKernel {
  setPositions(p: number): void;
}
export interface LossKernelOps {
  readonly label: string;
  readonly buffers: LossBuffers;
  readonly limits: { maxExamples: number; maxCandidates: number; maxPlanWords: number };
  setPlan(plan: ScoringPlan): void;
  setCoefficients(c: LossCoefficients): void;
  /** target 0 is buffers.batchLoss; target i > 0 is the i-th extra target given at construction. */
  encode(pass: ComputePass, target?: number): void;
  destroy(): void;
}
/** The ZoStep uniform block (zo_common.wgsl's layout on both backends), written once per step. */
export interface ZoStepParams {
  readonly buffer: DeviceBuffer;
  set(s: ZoStepScalars): void;
}

export interface ZoGradOptions {
  losses: DeviceBuffer;
  summary: DeviceBuffer;
  step: DeviceBuffer;
  q: number;
  oneSided: boolean;
  roundF16: boolean;
}

/** One constructor per kernel family; both backends implement every one with the same options. */
export interface KernelFactory {
  matmul(o: MatmulOptions): RowsKernel;
  rmsnorm(o: RmsNormOptions): RowsKernel;
  rope(o: RopeOptions): RopeKernelOps;
  bias(o: BiasOptions): RowsKernel;
  swiglu(o: SwigluOptions): RowsKernel;
  embedding(o: EmbeddingOptions): RowsKernel;
  attention(o: AttentionOptions): AttentionKernelOps;
  kvAppend(o: KvAppendOptions): CacheKernelOps;
  decodeAttention(o: DecodeAttentionOptions): CacheKernelOps;
  gatherRows(o: GatherRowsOptions): GatherKernelOps;
  logprob(o: LogProbOptions): LogProbKernelOps;
  loss(logprobs: DeviceBuffer, limits: LossKernelOps['limits'], extraBatchTargets?: DeviceBinding[]): LossKernelOps;
  lora(o: LoraOptions): RowsKernel;
  sparseDelta(o: SparseDeltaOptions): RowsKernel;
  columnNorms(x: DeviceBuffer, inDim: number, maxRows: number, label: string): ColumnNormsOps;
  zoProbe(range: ProbeRange, snapshot: DeviceBuffer): ZoProbeOps;
  zoMixed(ranges: readonly ParamRange[]): ZoMixedOps;
  zoStepParams(): ZoStepParams;
  /** The ZoRange uniform of one range (offset, count, stream, decay, scale), written once. */
  zoRangeParams(r: ParamRange): DeviceBuffer;
  zoPerturb(range: ParamRange, rangeParams: DeviceBuffer, step: DeviceBuffer, j: number, coef: number): Kernel;
  zoUpdate(range: ParamRange, rangeParams: DeviceBuffer, step: DeviceBuffer, spec: ZoUpdateSpec): Kernel;
  zoGrad(entryPoint: 'projected_grad' | 'cons_select', o: ZoGradOptions): Kernel;
}

export interface Backend {
  readonly kind: BackendKind;
  readonly ledger: MemoryLedger;
  readonly adapter: AdapterSummary;
  readonly features: GpuFeatures;
  readonly limits: GpuLimitsSummary;
  readonly kernels: KernelFactory;
  readonly isLost: boolean;
  /** A buffer (f32/u32 data, zeroed) recorded in the ledger under `category`. */
  createStorage(label: string, bytes: number, category: MemoryCategory): DeviceBuffer;
  storageFrom(label: string, data: ArrayBufferView, category: MemoryCategory): DeviceBuffer;
  upload(buffer: DeviceBuffer, data: ArrayBufferView, offsetBytes?: number): void;
  release(buffer: DeviceBuffer): void;
  /** Record kernels into one pass and run them (WebGPU: one command buffer; CPU: in order, now). */
  submit(encode: (pass: ComputePass) => void, label?: string): void;
  /** Copy bytes between buffers after the work submitted so far. */
  copyBuffer(src: DeviceBuffer, srcOffset: number, dst: DeviceBuffer, dstOffset: number, bytes: number): void;
  read(buffer: DeviceBuffer, bytes?: number, offsetBytes?: number): Promise<ArrayBuffer>;
  readF32(buffer: DeviceBuffer, count?: number, offsetElements?: number): Promise<Float32Array>;
  readU32(buffer: DeviceBuffer, count?: number, offsetElements?: number): Promise<Uint32Array>;
  /** Throws the first allocation failure since the last check. */
  checkAllocations(): Promise<void>;
  /** Wait until all submitted work has finished (benchmarks). */
  finish(): Promise<void>;
  onDeviceLost(listener: (e: DeviceLostError) => void): () => void;
  destroy(): void;
}

/** A line for headers and logs: which backend runs the kernels, on what. */
export function describeBackend(b: Pick<Backend, 'kind' | 'adapter'>): string {
  const a = b.adapter;
  const name = a.description || a.device || a.vendor || 'unknown adapter';
  if (b.kind === 'cpu') return `CPU backend (${name})`;
  return `WebGPU on ${name}${a.isSoftware ? ' (software emulation)' : ''}`;
}
