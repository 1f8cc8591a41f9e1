// The CPU backend's forward-pass kernels: each takes the same options as its WebGPU wrapper
// (gpu/kernels/*), binds the same buffers, and runs the CPU reference of its family (src/engine/cpu)
// on them when the pass is submitted. Shapes set with setRows()/setShape() apply to the next
// submit, as a uniform write does on the GPU.
import type { AttentionKernelOps, Backend, CacheKernelOps, ColumnNormsOps, GatherKernelOps, LogProbKernelOps, RopeKernelOps, RowsKernel } from '../../gpu/backend';
import type { DeviceBuffer } from '../../gpu/device';
import type { MatmulOptions } from '../../gpu/kernels/matmul';
import type { RmsNormOptions } from '../../gpu/kernels/rmsnorm';
import type { RopeOptions } from '../../gpu/kernels/rope';
import type { BiasOptions } from '../../gpu/kernels/bias';
import type { SwigluOptions } from '../../gpu/kernels/swiglu';
import type { EmbeddingOptions } from '../../gpu/kernels/embedding';
import type { AttentionOptions } from '../../gpu/kernels/attention';
import type { DecodeAttentionOptions, KvAppendOptions } from '../../gpu/kernels/attentionDecode';
import type { GatherRowsOptions, LogProbOptions } from '../../gpu/kernels/logprob';
import type { LoraOptions } from '../../gpu/kernels/lora';
import type { SparseDeltaOptions } from '../../gpu/kernels/sparseDelta';
import { rmsnormRef } from '../../cpu/rmsnorm';
import { ropeRef } from '../../cpu/rope';
import { biasRef } from '../../cpu/bias';
import { swigluRef } from '../../cpu/swiglu';
import { attentionRef } from '../../cpu/attention';
import { attentionDecodeRef, kvAppendRef } from '../../cpu/attentionDecode';
import { gatherRowsRef, logProbRef } from '../../cpu/logprob';
import { columnSumsqRef, loraRef, sparseDeltaRef } from '../../cpu/adapters';
import { CpuKernel, cpuBuffer, type CpuBuffer } from './buffer';
import { weightRowReader, type RowReader } from './weightRows';

function checkRows(label: string, m: number, max: number): void {
  if (!(Number.isInteger(m) && m >= 0 && m <= max)) throw new Error(`${label}: ${m} rows outside 0..${max}`);
}

/** A kernel over the first `rows` of at most maxRows rows (setRows, as the WebGPU RowsKernel). */
abstract class CpuRowsKernel extends CpuKernel implements RowsKernel {
  protected rows: number;
  /** The rows whose outputs are used (RowsKernel.setRowSpans): the WASM kernels skip the others;
   *  the TypeScript references compute every row, which the hint allows. */
  protected spans: Uint32Array | null = null;
  constructor(readonly label: string, private readonly maxRows: number) {
    super();
    this.rows = maxRows;
  }
  setRows(m: number): void {
    checkRows(this.label, m, this.maxRows);
    this.rows = m;
  }
  setRowSpans(spans: Uint32Array | null): void {
    this.spans = spans;
  }
}

/** y[m, n] (=|+=) sum_k x[m, k] w[n, k]; w read row by row from its storage format. */
export class CpuMatmul extends CpuRowsKernel {
  private readonly x: CpuBuffer;
  private readonly y: CpuBuffer;
  private readonly readRow: RowReader;
  private readonly wRow: Float32Array;

  constructor(private readonly o: MatmulOptions) {
    super(o.label ?? `matmul ${o.w.name}`, o.maxRows);
    this.x = cpuBuffer(o.x);
    this.y = cpuBuffer(o.y);
    this.readRow = weightRowReader(o.w);
    this.wRow = new Float32Array(o.w.cols);
  }
  protected run(): void {
    const { rows: N, cols: K } = this.o.w;
    const M = this.rows;
    const x = this.x.f32;
    const y = this.y.f32;
    const w = this.wRow;
    const acc = this.o.accumulate === true;
    for (let n = 0; n < N; n++) {
      this.readRow(n, w);
      for (let m = 0; m < M; m++) {
        const xo = m * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += x[xo + k] * w[k];
        const at = m * N + n;
        y[at] = acc ? Math.fround(y[at] + Math.fround(s)) : s;
      }
    }
  }
}

export class CpuRmsNorm extends CpuRowsKernel {
  constructor(private readonly o: RmsNormOptions) {
    super('rmsnorm', o.maxRows);
  }
  protected run(): void {
    const { dim } = this.o;
    const x = cpuBuffer(this.o.x).f32.subarray(0, this.rows * dim);
    cpuBuffer(this.o.y).f32.set(rmsnormRef(x, cpuBuffer(this.o.weight).f32.subarray(0, dim), this.rows, dim, this.o.eps));
  }
}

export class CpuRope extends CpuKernel implements RopeKernelOps {
  readonly label = 'rope';
  protected batch: number;
  protected seqLen = 1;
  protected pos = 0;
  constructor(private readonly o: RopeOptions) {
    super();
    this.batch = o.maxRows;
  }
  setShape(batch: number, seqLen: number): void {
    checkRows(this.label, batch * seqLen, this.o.maxRows);
    this.batch = batch;
    this.seqLen = seqLen;
  }
  setPosOffset(pos: number): void {
    this.pos = pos;
  }
  protected run(): void {
    const { heads, headDim } = this.o;
    const qk = cpuBuffer(this.o.qk).f32;
    const n = this.batch * this.seqLen * heads * headDim;
    const invFreq = cpuBuffer(this.o.invFreq).f32.subarray(0, headDim / 2);
    qk.set(ropeRef(qk.subarray(0, n), this.batch, this.seqLen, heads, headDim, invFreq, this.pos));
  }
}

/** Bias add and SwiGLU: work over rows of one width. */
export class CpuBias extends CpuRowsKernel {
  constructor(private readonly o: BiasOptions) {
    super(o.label ?? 'bias', o.maxRows);
  }
  protected run(): void {
    const { width } = this.o;
    biasRef(cpuBuffer(this.o.y).f32.subarray(0, this.rows * width), cpuBuffer(this.o.bias).f32.subarray(0, width), this.rows);
  }
}

export class CpuSwiglu extends CpuRowsKernel {
  constructor(private readonly o: SwigluOptions) {
    super('swiglu', o.maxRows);
  }
  protected run(): void {
    const n = this.rows * this.o.width;
    cpuBuffer(this.o.out).f32.set(swigluRef(cpuBuffer(this.o.gate).f32, cpuBuffer(this.o.up).f32, n));
  }
}

/** out[r] = table[ids[r]] (zeros for an id past the vocabulary, as the shader). */
export class CpuEmbedding extends CpuRowsKernel {
  private readonly readRow: RowReader;
  constructor(private readonly o: EmbeddingOptions) {
    super('embedding', o.maxRows);
    this.readRow = weightRowReader(o.table);
  }
  protected run(): void {
    const { rows: vocab, cols: hidden } = this.o.table;
    const ids = cpuBuffer(this.o.ids).u32;
    const out = cpuBuffer(this.o.out).f32;
    for (let r = 0; r < this.rows; r++) {
      const row = out.subarray(r * hidden, (r + 1) * hidden);
      if (ids[r] < vocab) this.readRow(ids[r], row);
      else row.fill(0);
    }
  }
}

/** Causal attention over whole right-padded sequences, grouped-query heads. */
export class CpuAttention extends CpuKernel implements AttentionKernelOps {
  readonly label = 'attention';
  protected batch: number;
  protected seqLen: number;
  constructor(private readonly o: AttentionOptions) {
    super();
    this.batch = o.maxBatch;
    this.seqLen = o.maxSeqLen;
  }
  setShape(batch: number, seqLen: number): void {
    if (batch > this.o.maxBatch || seqLen > this.o.maxSeqLen) throw new Error(`attention: ${batch} x ${seqLen} exceeds ${this.o.maxBatch} x ${this.o.maxSeqLen}`);
    this.batch = batch;
    this.seqLen = seqLen;
  }
  protected run(): void {
    const { heads, kvHeads, headDim } = this.o;
    const rows = this.batch * this.seqLen;
    const q = cpuBuffer(this.o.q).f32.subarray(0, rows * heads * headDim);
    const k = cpuBuffer(this.o.k).f32.subarray(0, rows * kvHeads * headDim);
    const v = cpuBuffer(this.o.v).f32.subarray(0, rows * kvHeads * headDim);
    cpuBuffer(this.o.out).f32.set(attentionRef(q, k, v, this.batch, this.seqLen, heads, kvHeads, headDim, this.o.window ?? 0));
  }
}

/** n new tokens per sequence at cache position pos (KvAppend and DecodeAttention share it). */
abstract class CpuCacheKernel extends CpuKernel implements CacheKernelOps {
  protected batch = 1;
  protected n = 1;
  protected pos = 0;
  constructor(protected readonly shape: { maxBatch: number; maxLen: number }) {
    super();
  }
  setShape(batch: number, n: number, pos: number): void {
    if (batch > this.shape.maxBatch || pos + n > this.shape.maxLen) throw new Error(`${this.label}: ${batch} x ${n} at ${pos} exceeds the cache ${this.shape.maxBatch} x ${this.shape.maxLen}`);
    this.batch = batch;
    this.n = n;
    this.pos = pos;
  }
}

export class CpuKvAppend extends CpuCacheKernel {
  readonly label = 'kv-append';
  constructor(private readonly o: KvAppendOptions) {
    super(o);
  }
  protected run(): void {
    const o = this.o;
    kvAppendRef(cpuBuffer(o.k).f32, cpuBuffer(o.v).f32, cpuBuffer(o.kCache).f32, cpuBuffer(o.vCache).f32, this.batch, this.n, this.pos, o.maxLen, o.kvHeads * o.headDim);
  }
}

export class CpuDecodeAttention extends CpuCacheKernel {
  readonly label = 'decode-attention';
  constructor(private readonly o: DecodeAttentionOptions) {
    super(o);
  }
  protected run(): void {
    const o = this.o;
    const q = cpuBuffer(o.q).f32.subarray(0, this.batch * this.n * o.heads * o.headDim);
    const out = attentionDecodeRef(q, cpuBuffer(o.kCache).f32, cpuBuffer(o.vCache).f32, this.batch, this.n, this.pos, o.maxLen, o.heads, o.kvHeads, o.headDim, o.window ?? 0);
    cpuBuffer(o.out).f32.set(out);
  }
}

export class CpuGatherRows extends CpuKernel implements GatherKernelOps {
  readonly label = 'gather-rows';
  protected count: number;
  constructor(private readonly o: GatherRowsOptions) {
    super();
    this.count = o.maxOut;
  }
  setCount(n: number): void {
    checkRows(this.label, n, this.o.maxOut);
    this.count = n;
  }
  protected run(): void {
    const o = this.o;
    cpuBuffer(o.dst).f32.set(gatherRowsRef(cpuBuffer(o.src).f32, o.dim, cpuBuffer(o.indices).u32, this.count));
  }
}

/** log_softmax(logits[p])[targets[p, c]] at the scored positions. */
export class CpuLogProb extends CpuKernel implements LogProbKernelOps {
  readonly label = 'logprob';
  protected positions: number;
  constructor(private readonly o: LogProbOptions) {
    super();
    this.positions = o.maxPositions;
  }
  setPositions(p: number): void {
    checkRows(this.label, p, this.o.maxPositions);
    this.positions = p;
  }
  protected run(): void {
    const o = this.o;
    const P = this.positions;
    const logits = cpuBuffer(o.logits).f32.subarray(0, P * o.vocab);
    cpuBuffer(o.out).f32.set(logProbRef(logits, o.vocab, cpuBuffer(o.targets).u32, o.candidates, P));
  }
}

/** LoRA after a linear layer: y += scale B(A x). */
export class CpuLora extends CpuRowsKernel {
  constructor(private readonly o: LoraOptions) {
    super(o.label ?? 'lora', o.maxRows);
  }
  protected run(): void {
    const o = this.o;
    const y = cpuBuffer(o.y).f32.subarray(0, this.rows * o.outDim);
    const a = cpuBuffer(o.a).f32.subarray(0, o.rank * o.inDim);
    const b = cpuBuffer(o.b).f32.subarray(0, o.outDim * o.rank);
    y.set(loraRef(cpuBuffer(o.x).f32, a, b, y, this.rows, o.inDim, o.outDim, o.rank, o.scale));
  }
}

/** SensZOQ's sparse correction after a quantized linear: y += (value - base) x over the CSR entries. */
export class CpuSparseDelta extends CpuRowsKernel {
  constructor(private readonly o: SparseDeltaOptions) {
    super(o.label ?? 'sparse-delta', o.maxRows);
  }
  protected run(): void {
    const o = this.o;
    const y = cpuBuffer(o.y).f32.subarray(0, this.rows * o.outDim);
    const csr = { rowStart: cpuBuffer(o.rowStart).u32, col: cpuBuffer(o.col).u32 };
    y.set(sparseDeltaRef(cpuBuffer(o.x).f32, csr, cpuBuffer(o.base).f32, cpuBuffer(o.value).f32, y, this.rows, o.inDim, o.outDim));
  }
}

/** SensZOQ calibration: sumsq[k] += sum_m x[m, k]^2 over every submit (shaders/column_norms.wgsl). */
export class CpuColumnNorms extends CpuKernel implements ColumnNormsOps {
  readonly sumsq: DeviceBuffer;
  protected rows: number;
  constructor(
    private readonly mem: Pick<Backend, 'createStorage' | 'release'>,
    protected readonly x: DeviceBuffer,
    protected readonly inDim: number,
    private readonly maxRows: number,
    readonly label: string,
  ) {
    super();
    this.sumsq = mem.createStorage(`${label}-sumsq`, inDim * 4, 'scratch');
    this.rows = maxRows;
  }
  setRows(m: number): void {
    checkRows(this.label, m, this.maxRows);
    this.rows = m;
  }
  protected run(): void {
    const sumsq = cpuBuffer(this.sumsq).f32;
    const add = columnSumsqRef(cpuBuffer(this.x).f32, this.rows, this.inDim);
    for (let k = 0; k < this.inDim; k++) sumsq[k] = Math.fround(sumsq[k] + add[k]);
  }
  destroy(): void {
    this.mem.release(this.sumsq);
  }
}
