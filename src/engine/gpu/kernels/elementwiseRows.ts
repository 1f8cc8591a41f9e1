// One thread per element of an f32 [rows, width] activation, for the elementwise kernels (bias,
// SwiGLU): the row count changes per call (batch x tokens) through the uniform's `count`, the grid
// follows it, and the uniform is the only thing built at load to free.
import type { ComputePass } from '../device';
import { BoundKernel, linearGrid, type Dispatchable } from '../kernel';

/** The uniform as this class uses it: its `count` field (a kernel may have others, set at load). */
interface CountUniform {
  set(values: { count: number }): void;
  destroy(): void;
}

export abstract class ElementwiseRowsKernel implements Dispatchable {
  protected constructor(
    readonly label: string,
    private readonly kernel: BoundKernel,
    private readonly params: CountUniform,
    private readonly width: number,
    private readonly maxRows: number,
    private readonly workgroup: number,
  ) {
    this.setRows(maxRows);
  }

  /** Rows (batch x tokens) the next dispatch covers; at most maxRows. */
  setRows(n: number): void {
    if (n > this.maxRows) throw new Error(`${this.label}: ${n} rows exceeds maxRows ${this.maxRows}`);
    this.params.set({ count: n * this.width });
    this.kernel.grid = linearGrid(n * this.width, this.workgroup);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
