// theta = snapshot + a * z over one range (shaders/zo_probe.wgsl): the dynamics view's sweep
// of the loss along a ZO direction, restored afterwards by copying the snapshot back.
import rngCode from '../../../../shaders/rng.wgsl?raw';
import probeCode from '../../../../shaders/zo_probe.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 64;
const CODE = `${rngCode}\n${probeCode}`;

export interface ProbeRange {
  buffer: DeviceBuffer;
  offset: number;
  count: number;
  stream: number;
}

export class ZoProbeKernel implements Dispatchable {
  readonly label = 'zo-probe';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'seed' | 'step' | 'j' | 'stream' | 'offset' | 'count' | 'coef'>;

  constructor(ctx: WebGpu, private readonly range: ProbeRange, snapshot: DeviceBuffer) {
    this.params = new ParamBlock(ctx, 'zo-probe', [
      { name: 'seed', type: 'u32' },
      { name: 'step', type: 'u32' },
      { name: 'j', type: 'u32' },
      { name: 'stream', type: 'u32' },
      { name: 'offset', type: 'u32' },
      { name: 'count', type: 'u32' },
      { name: 'coef', type: 'f32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'zo_probe', code: CODE, constants: { WG },
      bindings: [range.buffer, snapshot, this.params.buffer], grid: linearGrid(Math.ceil(range.count / 4), WG),
    });
  }

  /** Next dispatch writes snapshot + coef * z(seed, step, j, stream). */
  set(seed: number, step: number, j: number, coef: number): void {
    this.params.set({ seed, step, j, stream: this.range.stream, offset: this.range.offset, count: this.range.count, coef });
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
