// The CPU backend's kernels on the WebAssembly SIMD twins (src/engine/wasm, wasm/*.ts): the same
// options and shapes as the TypeScript classes of forwardKernels.ts / zoKernels.ts (which they
// extend for setRows/setShape), with run() calling the WASM kernel on the buffers' blocks of the
// kernels' memory. The ZO passes give the TypeScript reference's results bit for bit (z, the
// perturbation and the optimizers' float order are the same); forward kernels differ from it only
// in summation order (SIMD lanes, threads over weight rows).
import type { DeviceBuffer } from '../../gpu/device';
import type { GpuWeight } from '../../gpu/tensor';
import type { MatmulOptions } from '../../gpu/kernels/matmul';
import type { RmsNormOptions } from '../../gpu/kernels/rmsnorm';
import type { RopeOptions } from '../../gpu/kernels/rope';
import type { BiasOptions } from '../../gpu/kernels/bias';
import type { SwigluOptions } from '../../gpu/kernels/swiglu';
import type { EmbeddingOptions } from '../../gpu/kernels/embedding';
import type { AttentionOptions } from '../../gpu/kernels/attention';
import type { DecodeAttentionOptions } from '../../gpu/kernels/attentionDecode';
import type { LogProbOptions } from '../../gpu/kernels/logprob';
import type { LoraOptions } from '../../gpu/kernels/lora';
import type { SparseDeltaOptions } from '../../gpu/kernels/sparseDelta';
import type { ParamRange, ZoUpdateSpec } from '../../gpu/kernels/zo';
import type { WasmBuffer, WasmKernels, WasmParamRange, WasmWeight } from '../../wasm/kernels';
import type { Backend } from '../../gpu/backend';
import type { ProbeRange } from '../../gpu/kernels/zoProbe';
import { cpuBuffer } from './buffer';
import {
  CpuAttention, CpuBias, CpuColumnNorms, CpuDecodeAttention, CpuEmbedding, CpuLogProb, CpuLora, CpuMatmul, CpuRmsNorm, CpuRope, CpuSparseDelta, CpuSwiglu,
} from './forwardKernels';
import { CpuZoMixed, CpuZoPerturb, CpuZoProbe, CpuZoUpdate, optimizerOf, readStepScalars } from './zoKernels';

/** The block of the kernels' memory behind a buffer of the WASM-backed CPU backend. */
function block(b: DeviceBuffer): WasmBuffer {
  const w = cpuBuffer(b).wasm;
  if (!w) throw new Error(`buffer "${b.label}" is not in the WASM kernels' memory`);
  return w;
}

function wasmWeight(w: GpuWeight): WasmWeight {
  return { format: w.format, rows: w.rows, cols: w.cols, data: block(w.data), scales: w.scales ? block(w.scales) : undefined };
}

function wasmRange(r: ParamRange): WasmParamRange {
  return { theta: block(r.buffer), offset: r.offset, count: r.count, stream: r.stream, decay: r.decay, scale: r.scale };
}

/** A buffer's bytes from byteOffset on (one span of rows of it). */
function from(b: WasmBuffer, byteOffset: number): WasmBuffer {
  return byteOffset === 0 ? b : { ptr: b.ptr + byteOffset, bytes: b.bytes - byteOffset };
}

/** fn(start, count) over the row spans set (flattened pairs), or once over rows 0 .. rows. */
function forSpans(spans: Uint32Array | null, rows: number, fn: (start: number, count: number) => void): void {
  if (!spans) {
    fn(0, rows);
    return;
  }
  for (let i = 0; i < spans.length; i += 2) {
    const start = spans[i], count = Math.min(spans[i + 1], rows - start);
    if (count > 0) fn(start, count);
  }
}

export class WasmMatmul extends CpuMatmul {
  private readonly weight: WasmWeight;
  constructor(private readonly wk: WasmKernels, private readonly mo: MatmulOptions) {
    super(mo);
    this.weight = wasmWeight(mo.w);
  }
  protected run(): void {
    const x = block(this.mo.x), y = block(this.mo.y);
    const { cols: k, rows: n } = this.weight;
    const accumulate = this.mo.accumulate === true;
    forSpans(this.spans, this.rows, (m0, m) => this.wk.matmul(from(x, m0 * k * 4), this.weight, from(y, m0 * n * 4), m, { accumulate }));
  }
}

export class WasmRmsNorm extends CpuRmsNorm {
  constructor(private readonly wk: WasmKernels, private readonly ro: RmsNormOptions) {
    super(ro);
  }
  protected run(): void {
    const x = block(this.ro.x), y = block(this.ro.y), { dim } = this.ro;
    forSpans(this.spans, this.rows, (m0, m) => this.wk.rmsnorm(from(x, m0 * dim * 4), block(this.ro.weight), from(y, m0 * dim * 4), m, dim, this.ro.eps));
  }
}

export class WasmRope extends CpuRope {
  constructor(private readonly wk: WasmKernels, private readonly ro: RopeOptions) {
    super(ro);
  }
  protected run(): void {
    const { batch, seqLen, pos } = this;
    this.wk.rope(block(this.ro.qk), batch * seqLen, seqLen, this.ro.heads, this.ro.headDim, block(this.ro.invFreq), pos);
  }
}

export class WasmBias extends CpuBias {
  constructor(private readonly wk: WasmKernels, private readonly bo: BiasOptions) {
    super(bo);
  }
  protected run(): void {
    const y = block(this.bo.y), w = this.bo.width;
    forSpans(this.spans, this.rows, (m0, m) => this.wk.biasRows(from(y, m0 * w * 4), block(this.bo.bias), m, w));
  }
}

export class WasmSwiglu extends CpuSwiglu {
  constructor(private readonly wk: WasmKernels, private readonly so: SwigluOptions) {
    super(so);
  }
  protected run(): void {
    const g = block(this.so.gate), u = block(this.so.up), out = block(this.so.out), w = this.so.width;
    forSpans(this.spans, this.rows, (m0, m) => this.wk.swiglu(from(g, m0 * w * 4), from(u, m0 * w * 4), from(out, m0 * w * 4), m * w));
  }
}

export class WasmEmbedding extends CpuEmbedding {
  private readonly table: WasmWeight;
  constructor(private readonly wk: WasmKernels, private readonly eo: EmbeddingOptions) {
    super(eo);
    this.table = wasmWeight(eo.table);
  }
  protected run(): void {
    this.wk.embedding(this.table, block(this.eo.ids), this.rows, block(this.eo.out));
  }
}

export class WasmAttention extends CpuAttention {
  constructor(private readonly wk: WasmKernels, private readonly ao: AttentionOptions) {
    super(ao);
  }
  private spans: Uint32Array | null = null;
  /** The rows needed (see RowsKernel.setRowSpans): each sequence's queries past them are skipped. */
  setRowSpans(spans: Uint32Array | null): void {
    this.spans = spans;
  }
  protected run(): void {
    const { batch, seqLen } = this;
    const o = this.ao;
    const q = block(o.q), k = block(o.k), v = block(o.v), out = block(o.out);
    if (!this.spans) {
      this.wk.attention(q, k, v, out, batch, seqLen, o.heads, o.kvHeads, o.headDim, o.window ?? 0);
      return;
    }
    // Spans cover a prefix of each sequence they touch: sequence b's first `need` queries attend
    // as a prefill of `need` tokens over its own keys (the same rows, in the same order).
    const qRow = o.heads * o.headDim * 4, kvRow = o.kvHeads * o.headDim * 4;
    forSpans(this.spans, batch * seqLen, (start, count) => {
      for (let r = start; r < start + count;) {
        const b = Math.floor(r / seqLen), need = Math.min(start + count - r, (b + 1) * seqLen - r);
        const first = b * seqLen, n = r + need - first; // from the sequence's start, should a span not begin there
        this.wk.attentionDecode(from(q, first * qRow), from(k, first * kvRow), from(v, first * kvRow), from(out, first * qRow), 1, n, 0, seqLen, o.heads, o.kvHeads, o.headDim, o.window ?? 0);
        r += need;
      }
    });
  }
}

export class WasmDecodeAttention extends CpuDecodeAttention {
  constructor(private readonly wk: WasmKernels, private readonly ao: DecodeAttentionOptions) {
    super(ao);
  }
  protected run(): void {
    const o = this.ao;
    this.wk.attentionDecode(block(o.q), block(o.kCache), block(o.vCache), block(o.out), this.batch, this.n, this.pos, o.maxLen, o.heads, o.kvHeads, o.headDim, o.window ?? 0);
  }
}

export class WasmLogProb extends CpuLogProb {
  constructor(private readonly wk: WasmKernels, private readonly lo: LogProbOptions) {
    super(lo);
  }
  protected run(): void {
    const o = this.lo;
    this.wk.logprob(block(o.logits), o.vocab, block(o.targets), o.candidates, this.positions, block(o.out));
  }
}

export class WasmLora extends CpuLora {
  constructor(private readonly wk: WasmKernels, private readonly lo: LoraOptions) {
    super(lo);
  }
  protected run(): void {
    const o = this.lo;
    const x = block(o.x), y = block(o.y);
    forSpans(this.spans, this.rows, (m0, m) =>
      this.wk.lora(from(x, m0 * o.inDim * 4), block(o.a), block(o.b), from(y, m0 * o.outDim * 4), m, o.inDim, o.outDim, o.rank, o.scale));
  }
}

export class WasmSparseDelta extends CpuSparseDelta {
  constructor(private readonly wk: WasmKernels, private readonly so: SparseDeltaOptions) {
    super(so);
  }
  protected run(): void {
    const o = this.so;
    const x = block(o.x), y = block(o.y);
    forSpans(this.spans, this.rows, (m0, m) =>
      this.wk.sparseDelta(from(x, m0 * o.inDim * 4), block(o.rowStart), block(o.col), block(o.base), block(o.value), from(y, m0 * o.outDim * 4), m, o.inDim, o.outDim));
  }
}

export class WasmZoPerturb extends CpuZoPerturb {
  private readonly wr: WasmParamRange;
  constructor(private readonly wk: WasmKernels, range: ParamRange, private readonly stepParams: DeviceBuffer, private readonly jj: number, private readonly cc: number) {
    super(range, stepParams, jj, cc);
    this.wr = wasmRange(range);
  }
  protected run(): void {
    this.wk.zoPerturb(this.wr, readStepScalars(this.stepParams), this.jj, this.cc);
  }
}

export class WasmZoUpdate extends CpuZoUpdate {
  private readonly wr: WasmParamRange;
  private readonly states: WasmBuffer[];
  constructor(private readonly wk: WasmKernels, range: ParamRange, private readonly stepParams: DeviceBuffer, private readonly us: ZoUpdateSpec) {
    super(range, stepParams, us);
    this.wr = wasmRange(range);
    this.states = us.state.map(block);
  }
  protected run(): void {
    const s = readStepScalars(this.stepParams);
    const summary = cpuBuffer(this.us.summary).f32;
    const c = this.us.coef === 'choice' ? summary[this.us.q] : this.us.coef;
    this.wk.zoUpdate(optimizerOf(this.us.entryPoint).name, this.wr, s, summary.slice(0, this.us.q), c, this.states, this.us.restore);
  }
}

export class WasmColumnNorms extends CpuColumnNorms {
  constructor(private readonly wk: WasmKernels, mem: Pick<Backend, 'createStorage' | 'release'>, x: DeviceBuffer, inDim: number, maxRows: number, label: string) {
    super(mem, x, inDim, maxRows, label);
  }
  protected run(): void {
    this.wk.columnSumsq(block(this.x), this.rows, this.inDim, block(this.sumsq));
  }
}

export class WasmZoProbe extends CpuZoProbe {
  constructor(private readonly wk: WasmKernels, range: ProbeRange, snapshot: DeviceBuffer) {
    super(range, snapshot);
  }
  protected run(): void {
    const r = this.range;
    this.wk.zoProbe({ theta: block(r.buffer), offset: r.offset, count: r.count, stream: r.stream, decay: true }, block(this.snapshot), this.seed, this.step, this.j, this.coef);
  }
}

export class WasmZoMixed extends CpuZoMixed {
  constructor(private readonly wk: WasmKernels, ranges: readonly ParamRange[]) {
    super(ranges);
  }
  protected axpy(): void {
    for (const r of this.ranges) this.wk.zoMixedAxpy(wasmRange(r), this.seed, this.terms, this.alpha);
  }
  async squaredNorm(): Promise<number> {
    return this.wk.zoMixedSumsq(this.ranges, this.seed, this.terms);
  }
}
