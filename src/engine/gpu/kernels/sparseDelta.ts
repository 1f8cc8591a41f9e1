// SensZOQ's sparse correction after a quantized matmul (shaders/sparse_delta.wgsl):
// y[m, n] += sum over trainable entries e of row n of x[m, col[e]] * (value[e] - base[e]).
import code from '../../../../shaders/sparse_delta.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 64;

export interface SparseDeltaOptions {
  x: DeviceBuffer; // f32 [maxRows, inDim]
  y: DeviceBuffer; // f32 [maxRows, outDim], accumulated into
  rowStart: DeviceBuffer; // u32 [outDim + 1] (CSR)
  col: DeviceBuffer; // u32 [nnz]
  base: DeviceBuffer; // f32 [nnz]: the frozen (dequantized) weight at each entry
  value: DeviceBuffer; // f32 [nnz]: the trainable weight at each entry
  inDim: number;
  outDim: number;
  maxRows: number;
  label?: string;
}

export class SparseDeltaKernel implements Dispatchable {
  readonly label: string;
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'rows' | 'outDim' | 'inDim'>;

  constructor(ctx: WebGpu, private readonly o: SparseDeltaOptions) {
    this.label = o.label ?? 'sparse-delta';
    this.params = new ParamBlock(ctx, `${this.label}-params`, [
      { name: 'rows', type: 'u32' },
      { name: 'outDim', type: 'u32' },
      { name: 'inDim', type: 'u32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'sparse_delta', code, constants: { WG },
      bindings: [o.x, o.rowStart, o.col, o.base, o.value, o.y, this.params.buffer],
      grid: [1, 1, 1], label: this.label,
    });
    this.setRows(o.maxRows);
  }

  setRows(m: number): void {
    this.params.set({ rows: m, outDim: this.o.outDim, inDim: this.o.inDim });
    this.kernel.grid = linearGrid(m * this.o.outDim, WG);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
