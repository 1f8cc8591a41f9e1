// Bias add (shaders/bias.wgsl): y[r, j] += bias[j] in place over [rows, width], after the
// q/k/v projections of models that have them (Qwen2).
import code from '../../../../shaders/bias.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid } from '../kernel';
import { ElementwiseRowsKernel } from './elementwiseRows';
import type { DeviceBuffer } from '../device';

const WG = 256;

export interface BiasOptions {
  y: DeviceBuffer; // f32 [maxRows, width], updated in place
  bias: DeviceBuffer; // f32 [width]
  width: number;
  maxRows: number;
  label?: string;
}

export class BiasKernel extends ElementwiseRowsKernel {
  constructor(ctx: WebGpu, o: BiasOptions) {
    const params = new ParamBlock<'count' | 'width'>(ctx, 'bias-params', [
      { name: 'count', type: 'u32' },
      { name: 'width', type: 'u32' },
    ]);
    params.set({ width: o.width });
    const kernel = new BoundKernel(ctx, {
      name: 'bias',
      code,
      constants: { WG },
      bindings: [o.y, o.bias, params.buffer],
      grid: linearGrid(o.maxRows * o.width, WG),
    });
    super(o.label ?? 'bias', kernel, params, o.width, o.maxRows, WG);
  }
}
