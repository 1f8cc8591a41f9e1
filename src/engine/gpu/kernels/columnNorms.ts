// Calibration statistics for SensZOQ's activation-aware score (shaders/column_norms.wgsl):
// sumsq[k] += sum_m x[m, k]^2 over every calibration call.
import code from '../../../../shaders/column_norms.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 64;

export class ColumnNormsKernel implements Dispatchable {
  readonly label: string;
  readonly sumsq: DeviceBuffer; // f32 [inDim]
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'rows' | 'inDim'>;

  constructor(private readonly ctx: WebGpu, x: DeviceBuffer, private readonly inDim: number, maxRows: number, label = 'column-norms') {
    this.label = label;
    this.sumsq = ctx.createStorage(`${label}-sumsq`, inDim * 4, 'scratch');
    this.params = new ParamBlock(ctx, `${label}-params`, [
      { name: 'rows', type: 'u32' },
      { name: 'inDim', type: 'u32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'column_norms', code, constants: { WG },
      bindings: [x, this.sumsq, this.params.buffer], grid: [Math.ceil(inDim / WG), 1, 1], label,
    });
    this.setRows(maxRows);
  }

  setRows(m: number): void {
    this.params.set({ rows: m, inDim: this.inDim });
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform and scratch buffers). */
  destroy(): void {
    this.params.destroy();
    this.ctx.release(this.sumsq);
  }
}
