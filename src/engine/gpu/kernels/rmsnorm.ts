// RMSNorm (shaders/rmsnorm.wgsl): y = x * inverseSqrt(mean(x^2) + eps) * weight, per row,
// one workgroup per row. x and y are separate buffers.
import code from '../../../../shaders/rmsnorm.wgsl?raw';
import type { GpuContext } from '../context';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';

const WG = 256;

export interface RmsNormOptions {
  x: GPUBuffer; // f32 [maxRows, dim]
  weight: GPUBuffer; // f32 [dim]
  y: GPUBuffer; // f32 [maxRows, dim], not x
  dim: number;
  eps: number;
  maxRows: number;
}

export class RmsNormKernel implements Dispatchable {
  readonly label = 'rmsnorm';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'rows' | 'dim' | 'eps'>;
  private readonly maxRows: number;

  constructor(ctx: GpuContext, o: RmsNormOptions) {
    if (o.x === o.y) throw new Error('rmsnorm: x and y must be different buffers');
    this.maxRows = o.maxRows;
    this.params = new ParamBlock(ctx, 'rmsnorm-params', [
      { name: 'rows', type: 'u32' },
      { name: 'dim', type: 'u32' },
      { name: 'eps', type: 'f32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'rmsnorm',
      code,
      constants: { WG },
      bindings: [o.x, o.weight, o.y, this.params.buffer],
      grid: linearGrid(o.maxRows, 1),
    });
    this.params.set({ dim: o.dim, eps: o.eps });
    this.setRows(o.maxRows);
  }

  /** Rows (batch * seqLen) the next dispatch normalizes; at most maxRows. */
  setRows(n: number): void {
    if (n > this.maxRows) throw new Error(`rmsnorm: ${n} rows exceeds maxRows ${this.maxRows}`);
    this.params.set({ rows: n });
    this.kernel.grid = linearGrid(n, 1);
  }

  encode(pass: GPUComputePassEncoder): void {
    this.kernel.encode(pass);
  }
}
