// Token-embedding gather (shaders/embedding.wgsl): out[r, :] = table[ids[r], :], r < rows,
// for tables stored f32, f16, q8, q4 or a block format (q4k, q5k, q6k, bf16, q4_1, q5_0, q5_1:
// decoded by shaders/block_<format>.wgsl). rows = batch * seqLen, set per call with setRows().
import code from '../../../../shaders/embedding.wgsl?raw';
import blocksCode from '../../../../shaders/embedding_blocks.wgsl?raw';
import { isBlockFormat, type BlockFormat } from '../../defs/blockFormats';
import { blockDecoderCode } from './blockDecoders';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable } from '../kernel';
import type { GpuWeight } from '../tensor';
import type { DeviceBuffer, ComputePass } from '../device';

const WG = 256;

export interface EmbeddingOptions {
  table: GpuWeight; // [vocab, hidden]
  ids: DeviceBuffer; // u32 [maxRows]
  out: DeviceBuffer; // f32 [maxRows, hidden]
  maxRows: number;
}

export class EmbeddingKernel implements Dispatchable {
  readonly label = 'embedding';
  private readonly kernel: BoundKernel;
  private readonly params: ParamBlock<'rows' | 'hidden' | 'vocab'>;
  private readonly hidden: number;
  private readonly maxRows: number;

  constructor(ctx: WebGpu, o: EmbeddingOptions) {
    const { table } = o;
    this.hidden = table.cols;
    this.maxRows = o.maxRows;
    const quantized = table.format === 'q8' || table.format === 'q4';
    if (quantized && !table.scales) throw new Error(`embedding: ${table.format} table "${table.name}" has no scales buffer`);
    if (quantized && table.cols % 32 !== 0) throw new Error(`embedding: ${table.format} table "${table.name}" has ${table.cols} columns, not a multiple of 32`);
    this.params = new ParamBlock(ctx, 'embedding-params', [
      { name: 'rows', type: 'u32' },
      { name: 'hidden', type: 'u32' },
      { name: 'vocab', type: 'u32' },
    ]);
    const bindings = [table.data, o.ids, o.out, this.params.buffer];
    if (quantized) bindings.push(table.scales!);
    const blocks = isBlockFormat(table.format);
    this.kernel = new BoundKernel(ctx, {
      name: blocks ? `embedding_${table.format}` : 'embedding',
      code: blocks ? `${code}\n${blockDecoderCode(table.format as BlockFormat)}\n${blocksCode}` : code,
      entryPoint: blocks ? 'embed_blocks' : `embed_${table.format}`,
      constants: { WG },
      bindings,
      grid: linearGrid(o.maxRows * this.hidden, WG),
      label: `embedding:${table.name}`,
    });
    this.params.set({ hidden: this.hidden, vocab: table.rows });
    this.setRows(o.maxRows);
  }

  /** Rows (batch * seqLen) the next dispatch gathers; at most maxRows. */
  setRows(n: number): void {
    if (n > this.maxRows) throw new Error(`embedding: ${n} rows exceeds maxRows ${this.maxRows}`);
    this.params.set({ rows: n });
    this.kernel.grid = linearGrid(n * this.hidden, WG);
  }

  encode(pass: ComputePass): void {
    this.kernel.encode(pass);
  }

  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
