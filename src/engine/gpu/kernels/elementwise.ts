// Copy and residual add over flat f32 buffers (shaders/elementwise.wgsl).
// Element counts must be multiples of 4 (every hidden size we support is).
import code from '../../../../shaders/elementwise.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 256;

export class ElementwiseKernel implements Dispatchable {
  readonly label: string;
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'count4'>;

  constructor(ctx: WebGpu, op: 'copy' | 'add_inplace', src: DeviceBuffer, dst: DeviceBuffer, count: number) {
    if (count % 4 !== 0) throw new Error(`${op}: element count ${count} is not a multiple of 4`);
    this.label = op;
    this.params = new ParamBlock(ctx, `${op}-params`, [{ name: 'count4', type: 'u32' }]);
    this.kernel = new BoundKernel(ctx, {
      name: 'elementwise',
      code,
      entryPoint: op,
      constants: { WG },
      bindings: [src, dst, this.params.buffer],
      grid: linearGrid(count / 4, WG),
    });
    this.setCount(count);
  }

  /** Change how many elements the next dispatch covers (at most the count it was built for). */
  setCount(count: number): void {
    this.params.set({ count4: count / 4 });
    this.kernel.grid = linearGrid(count / 4, WG);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
