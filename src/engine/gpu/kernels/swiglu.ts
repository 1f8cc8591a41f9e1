// SwiGLU (shaders/swiglu.wgsl): out = silu(gate) * up elementwise over [rows, width].
// out may be the same buffer as gate (then the in-place entry point is used).
import code from '../../../../shaders/swiglu.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid } from '../kernel';
import { ElementwiseRowsKernel } from './elementwiseRows';
import type { DeviceBuffer } from '../device';

const WG = 256;

export interface SwigluOptions {
  gate: DeviceBuffer; // f32 [maxRows, width]
  up: DeviceBuffer; // f32 [maxRows, width]
  out: DeviceBuffer; // f32 [maxRows, width], may be gate
  width: number;
  maxRows: number;
}

export class SwigluKernel extends ElementwiseRowsKernel {
  constructor(ctx: WebGpu, o: SwigluOptions) {
    const params = new ParamBlock<'count'>(ctx, 'swiglu-params', [{ name: 'count', type: 'u32' }]);
    const inplace = o.out === o.gate;
    const kernel = new BoundKernel(ctx, {
      name: 'swiglu',
      code,
      entryPoint: inplace ? 'swiglu_inplace' : 'swiglu',
      constants: { WG },
      bindings: inplace ? [o.gate, o.up, params.buffer] : [o.gate, o.up, o.out, params.buffer],
      grid: linearGrid(o.maxRows * o.width, WG),
    });
    super('swiglu', kernel, params, o.width, o.maxRows, WG);
  }
}
