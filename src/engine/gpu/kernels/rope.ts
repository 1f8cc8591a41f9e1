// RoPE (shaders/rope.wgsl), in place on q or k [rows, heads, headDim] in the HF rotate_half
// layout; position of row b * seqLen + t is t. invFreq comes from ropeInvFreq (cpu/rope.ts).
import code from '../../../../shaders/rope.wgsl?raw';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 256;

export interface RopeOptions {
  qk: DeviceBuffer; // f32 [maxRows, heads, headDim], rotated in place
  heads: number;
  headDim: number;
  invFreq: DeviceBuffer; // f32 [headDim / 2]
  maxRows: number;
}

export class RopeKernel implements Dispatchable {
  readonly label = 'rope';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'count' | 'seqLen' | 'heads' | 'half' | 'posOffset'>;
  private readonly pairsPerRow: number;
  private readonly maxRows: number;

  constructor(ctx: WebGpu, o: RopeOptions) {
    if (o.headDim % 2 !== 0) throw new Error(`rope: headDim ${o.headDim} is odd`);
    this.pairsPerRow = (o.heads * o.headDim) / 2;
    this.maxRows = o.maxRows;
    this.params = new ParamBlock(ctx, 'rope-params', [
      { name: 'count', type: 'u32' },
      { name: 'seqLen', type: 'u32' },
      { name: 'heads', type: 'u32' },
      { name: 'half', type: 'u32' },
      { name: 'posOffset', type: 'u32' },
    ]);
    this.kernel = new BoundKernel(ctx, {
      name: 'rope',
      code,
      constants: { WG },
      bindings: [o.qk, o.invFreq, this.params.buffer],
      grid: linearGrid(o.maxRows * this.pairsPerRow, WG),
    });
    this.params.set({ heads: o.heads, half: o.headDim / 2, posOffset: 0 });
    this.setShape(1, o.maxRows);
  }

  /** The next dispatch rotates batch * seqLen rows, row b * seqLen + t at position t. */
  setShape(batch: number, seqLen: number): void {
    const rows = batch * seqLen;
    if (rows > this.maxRows) throw new Error(`rope: ${batch} x ${seqLen} rows exceeds maxRows ${this.maxRows}`);
    this.params.set({ count: rows * this.pairsPerRow, seqLen: Math.max(1, seqLen) });
    this.kernel.grid = linearGrid(rows * this.pairsPerRow, WG);
  }

  /** Position of t = 0 for the next dispatch (decoding: the KV cache's filled length). */
  setPosOffset(pos: number): void {
    this.params.set({ posOffset: pos });
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
