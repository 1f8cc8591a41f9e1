// Bias add (shaders/bias.wgsl): y[r, j] += bias[j] in place over [rows, width], after the
// q/k/v projections of models that have them (Qwen2).
import code from '../../../../shaders/bias.wgsl?raw';
import type { GpuContext } from '../context';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';

const WG = 256;

export interface BiasOptions {
  y: GPUBuffer; // f32 [maxRows, width], updated in place
  bias: GPUBuffer; // f32 [width]
  width: number;
  maxRows: number;
  label?: string;
}

export class BiasKernel implements Dispatchable {
  readonly label: string;
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'count' | 'width'>;
  private readonly width: number;
  private readonly maxRows: number;

  constructor(ctx: GpuContext, o: BiasOptions) {
    this.label = o.label ?? 'bias';
    this.width = o.width;
    this.maxRows = o.maxRows;
    this.params = new ParamBlock(ctx, 'bias-params', [
      { name: 'count', type: 'u32' },
      { name: 'width', type: 'u32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'bias',
      code,
      constants: { WG },
      bindings: [o.y, o.bias, this.params.buffer],
      grid: linearGrid(o.maxRows * o.width, WG),
    });
    this.params.set({ width: o.width });
    this.setRows(o.maxRows);
  }

  /** Rows the next dispatch covers; at most maxRows. */
  setRows(n: number): void {
    if (n > this.maxRows) throw new Error(`bias: ${n} rows exceeds maxRows ${this.maxRows}`);
    this.params.set({ count: n * this.width });
    this.kernel.grid = linearGrid(n * this.width, WG);
  }

  encode(pass: GPUComputePassEncoder): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
