// The loss kernels (shaders/logprob.wgsl). Logits are only ever computed at gathered positions:
//   GatherRowsKernel: dst[i, :] = src[indices[i], :]  (pick the hidden rows a loss scores)
//   LogProbKernel:    out[p, c] = logits[p, targets[p, c]] - logsumexp(logits[p, :])
// LogProbKernel has two variants: one workgroup per position with a tree reduction
// ('workgroup'), or one invocation per position with no barriers ('software': SwiftShader and
// other CPU adapters, where barriers are costly).
import code from '../../../../shaders/logprob.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 256;
/** Positions per workgroup in the software logprob variant (one invocation per position). */
const ROWS_WG = 4;
type Field = 'count' | 'dim' | 'candidates';
const FIELDS: { name: Field; type: 'u32' }[] = [
  { name: 'count', type: 'u32' },
  { name: 'dim', type: 'u32' },
  { name: 'candidates', type: 'u32' },
];

export interface GatherRowsOptions {
  src: DeviceBuffer; // f32 [rows, dim]
  indices: DeviceBuffer; // u32 [maxOut], each < rows
  dst: DeviceBuffer; // f32 [maxOut, dim]
  dim: number;
  maxOut: number;
}

export class GatherRowsKernel implements Dispatchable {
  readonly label = 'gather_rows';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<Field>;
  private readonly dim: number;
  private readonly maxOut: number;

  constructor(ctx: WebGpu, o: GatherRowsOptions) {
    this.dim = o.dim;
    this.maxOut = o.maxOut;
    this.params = new ParamBlock(ctx, 'gather-rows-params', FIELDS);
    this.kernel = new BoundKernel(ctx, {
      name: 'logprob',
      code,
      entryPoint: 'gather_rows',
      constants: { WG },
      bindings: [o.src, o.indices, o.dst, this.params.buffer],
      grid: linearGrid(o.maxOut * o.dim, WG),
      label: 'gather_rows',
    });
    this.params.set({ dim: o.dim });
    this.setCount(o.maxOut);
  }

  /** Rows the next dispatch gathers (indices[0..n)); at most maxOut. */
  setCount(n: number): void {
    if (n > this.maxOut) throw new Error(`gather_rows: ${n} rows exceeds maxOut ${this.maxOut}`);
    this.params.set({ count: n * this.dim });
    this.kernel.grid = linearGrid(n * this.dim, WG);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}

export interface LogProbOptions {
  logits: DeviceBuffer; // f32 [maxPositions, vocab]
  targets: DeviceBuffer; // u32 [maxPositions, candidates]
  out: DeviceBuffer; // f32 [maxPositions, candidates]
  vocab: number;
  candidates: number;
  maxPositions: number;
  /** Defaults to 'software' on a software adapter (ctx.adapter.isSoftware), else 'workgroup'. */
  variant?: 'workgroup' | 'software';
}

export class LogProbKernel implements Dispatchable {
  readonly label = 'logprob';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<Field>;
  private readonly maxPositions: number;
  readonly variant: 'workgroup' | 'software';
  private readonly perGroup: number;

  constructor(ctx: WebGpu, o: LogProbOptions) {
    this.maxPositions = o.maxPositions;
    this.variant = o.variant ?? (ctx.adapter.isSoftware ? 'software' : 'workgroup');
    const software = this.variant === 'software';
    this.perGroup = software ? ROWS_WG : 1;
    this.params = new ParamBlock(ctx, 'logprob-params', FIELDS);
    this.kernel = new BoundKernel(ctx, {
      name: 'logprob',
      code,
      entryPoint: software ? (o.vocab % 4 === 0 ? 'logprob_rows4' : 'logprob_rows') : 'logprob',
      constants: { WG: software ? ROWS_WG : WG },
      bindings: [o.logits, o.targets, o.out, this.params.buffer],
      grid: linearGrid(o.maxPositions, this.perGroup),
    });
    this.params.set({ dim: o.vocab, candidates: o.candidates });
    this.setPositions(o.maxPositions);
  }

  /** Positions (rows of logits) the next dispatch scores; at most maxPositions. */
  setPositions(p: number): void {
    if (p > this.maxPositions) throw new Error(`logprob: ${p} positions exceeds maxPositions ${this.maxPositions}`);
    this.params.set({ count: p });
    this.kernel.grid = linearGrid(p, this.perGroup);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
