// SwiGLU (shaders/swiglu.wgsl): out = silu(gate) * up elementwise over [rows, width].
// out may be the same buffer as gate (then the in-place entry point is used).
import code from '../../../../shaders/swiglu.wgsl?raw';
import type { GpuContext } from '../context';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';

const WG = 256;

export interface SwigluOptions {
  gate: GPUBuffer; // f32 [maxRows, width]
  up: GPUBuffer; // f32 [maxRows, width]
  out: GPUBuffer; // f32 [maxRows, width], may be gate
  width: number;
  maxRows: number;
}

export class SwigluKernel implements Dispatchable {
  readonly label = 'swiglu';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'count'>;
  private readonly width: number;
  private readonly maxRows: number;

  constructor(ctx: GpuContext, o: SwigluOptions) {
    this.width = o.width;
    this.maxRows = o.maxRows;
    this.params = new ParamBlock(ctx, 'swiglu-params', [{ name: 'count', type: 'u32' }]);
    const inplace = o.out === o.gate;
    this.kernel = new BoundKernel(ctx, {
      name: 'swiglu',
      code,
      entryPoint: inplace ? 'swiglu_inplace' : 'swiglu',
      constants: { WG },
      bindings: inplace ? [o.gate, o.up, this.params.buffer] : [o.gate, o.up, o.out, this.params.buffer],
      grid: linearGrid(o.maxRows * o.width, WG),
    });
    this.setRows(o.maxRows);
  }

  /** Rows (batch * seqLen) the next dispatch covers; at most maxRows. */
  setRows(n: number): void {
    if (n > this.maxRows) throw new Error(`swiglu: ${n} rows exceeds maxRows ${this.maxRows}`);
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
