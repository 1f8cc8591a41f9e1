// LoRA on one linear layer: y += (alpha / r) * B (A x)  (shaders/lora.wgsl: lora_down, lora_up).
// A [r, in] and B [out, r] are f32 trainable buffers; t [maxRows, r] is per-layer scratch.
import code from '../../../../shaders/lora.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 64;

export interface LoraOptions {
  x: DeviceBuffer; // f32 [maxRows, inDim]
  y: DeviceBuffer; // f32 [maxRows, outDim], accumulated into
  a: DeviceBuffer; // f32 [rank, inDim]
  b: DeviceBuffer; // f32 [outDim, rank]
  inDim: number;
  outDim: number;
  rank: number;
  scale: number; // alpha / rank
  maxRows: number;
  label?: string;
}

export class LoraKernel implements Dispatchable {
  readonly label: string;
  readonly scratch: DeviceBuffer;
  private readonly down: BoundKernel;
  private readonly up: BoundKernel;
  private readonly params: ParamBlock<'rows' | 'inDim' | 'outDim' | 'rank' | 'scale'>;

  constructor(private readonly ctx: WebGpu, private readonly o: LoraOptions) {
    this.label = o.label ?? 'lora';
    this.scratch = ctx.createStorage(`${this.label}-t`, o.maxRows * o.rank * 4, 'activations');
    this.params = new ParamBlock(ctx, `${this.label}-params`, [
      { name: 'rows', type: 'u32' },
      { name: 'inDim', type: 'u32' },
      { name: 'outDim', type: 'u32' },
      { name: 'rank', type: 'u32' },
      { name: 'scale', type: 'f32' },
    ]);
    this.down = new BoundKernel(ctx, {
      name: 'lora', code, entryPoint: 'lora_down', constants: { WG },
      bindings: [o.x, o.a, this.scratch, this.params.buffer], grid: [1, 1, 1], label: `${this.label}.down`,
    });
    this.up = new BoundKernel(ctx, {
      name: 'lora', code, entryPoint: 'lora_up', constants: { WG },
      bindings: [this.scratch, o.b, o.y, this.params.buffer], grid: [1, 1, 1], label: `${this.label}.up`,
    });
    this.setRows(o.maxRows);
  }

  setRows(m: number): void {
    const { inDim, outDim, rank, scale } = this.o;
    this.params.set({ rows: m, inDim, outDim, rank, scale });
    this.down.grid = linearGrid(m * rank, WG);
    this.up.grid = linearGrid(m * outDim, WG);
  }

  encode(pass: ComputePass): void {
    this.down.encode(pass);
    this.up.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform and scratch buffers). */
  destroy(): void {
    this.params.destroy();
    this.ctx.release(this.scratch);
  }
}
