// RMSNorm (shaders/rmsnorm.wgsl): y = x * inverseSqrt(mean(x^2) + eps) * weight, per row,
// one workgroup per row with a tree reduction ('workgroup'), or one invocation per row with
// no barriers ('software': SwiftShader and other CPU adapters, where barriers are costly).
// x and y are separate buffers.
import code from '../../../../shaders/rmsnorm.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 256;
/** Rows per workgroup in the software variant (one invocation per row). */
const ROWS_WG = 16;

export type KernelVariant = 'workgroup' | 'software';

export interface RmsNormOptions {
  x: DeviceBuffer; // f32 [maxRows, dim]
  weight: DeviceBuffer; // f32 [dim]
  y: DeviceBuffer; // f32 [maxRows, dim], not x
  dim: number;
  eps: number;
  maxRows: number;
  /** Defaults to 'software' on a software adapter (ctx.adapter.isSoftware), else 'workgroup'. */
  variant?: KernelVariant;
}

export class RmsNormKernel implements Dispatchable {
  readonly label = 'rmsnorm';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'rows' | 'dim' | 'eps'>;
  private readonly maxRows: number;
  readonly variant: KernelVariant;
  private readonly rowsPerGroup: number;

  constructor(ctx: WebGpu, o: RmsNormOptions) {
    if (o.x === o.y) throw new Error('rmsnorm: x and y must be different buffers');
    this.maxRows = o.maxRows;
    this.variant = o.variant ?? (ctx.adapter.isSoftware ? 'software' : 'workgroup');
    const software = this.variant === 'software';
    this.rowsPerGroup = software ? ROWS_WG : 1;
    this.params = new ParamBlock(ctx, 'rmsnorm-params', [
      { name: 'rows', type: 'u32' },
      { name: 'dim', type: 'u32' },
      { name: 'eps', type: 'f32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'rmsnorm',
      code,
      entryPoint: software ? (o.dim % 4 === 0 ? 'main_rows4' : 'main_rows') : 'main',
      constants: { WG: software ? ROWS_WG : WG },
      bindings: [o.x, o.weight, o.y, this.params.buffer],
      grid: linearGrid(o.maxRows, this.rowsPerGroup),
    });
    this.params.set({ dim: o.dim, eps: o.eps });
    this.setRows(o.maxRows);
  }

  /** Rows (batch * seqLen) the next dispatch normalizes; at most maxRows. */
  setRows(n: number): void {
    if (n > this.maxRows) throw new Error(`rmsnorm: ${n} rows exceeds maxRows ${this.maxRows}`);
    this.params.set({ rows: n });
    this.kernel.grid = linearGrid(n, this.rowsPerGroup);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
