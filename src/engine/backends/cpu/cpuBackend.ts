// The CPU backend: buffers are bytes in memory, a submit runs the recorded kernels in order. Two
// kernel sets behind the same factory: the WebAssembly SIMD kernels (wasmKernels.ts over
// src/engine/wasm; buffers live in their memory; threads through a worker pool where memory can be
// shared) and the TypeScript reference kernels (forwardKernels.ts, zoKernels.ts: the CPU
// references of src/engine/cpu bound like the WebGPU wrappers). For pages and machines without a
// WebGPU adapter; the forward pass, the ZO step plan, the run loop and the record are the ones the
// WebGPU backend runs.
import type { Backend, KernelFactory } from '../../gpu/backend';
import type { AdapterSummary, ComputePass, DeviceBuffer, GpuFeatures, GpuLimitsSummary } from '../../gpu/device';
import { MemoryLedger, type MemoryCategory } from '../../gpu/ledger';
import { GpuOutOfMemoryError, type DeviceLostError } from '../../gpu/errors';
import { CpuBuffer, CpuPass, cpuBuffer } from './buffer';
import {
  CpuAttention, CpuBias, CpuColumnNorms, CpuDecodeAttention, CpuEmbedding, CpuGatherRows, CpuKvAppend, CpuLogProb, CpuLora, CpuMatmul, CpuRmsNorm, CpuRope, CpuSparseDelta, CpuSwiglu,
} from './forwardKernels';
import { CpuLoss, CpuZoGrad, CpuZoMixed, CpuZoPerturb, CpuZoProbe, CpuZoStepParams, CpuZoUpdate, cpuRangeParams } from './zoKernels';
import {
  WasmAttention, WasmBias, WasmColumnNorms, WasmDecodeAttention, WasmEmbedding, WasmLogProb, WasmLora, WasmMatmul, WasmRmsNorm, WasmRope, WasmSparseDelta, WasmSwiglu, WasmZoMixed, WasmZoPerturb, WasmZoProbe, WasmZoUpdate,
} from './wasmKernels';
import { WasmKernels, type WasmKernelOptions } from '../../wasm/kernels';

/** 'wasm' (default): the WebAssembly SIMD kernels; 'typescript': the CPU reference kernels. */
export type CpuKernelSet = 'wasm' | 'typescript';

export interface CpuBackendOptions extends WasmKernelOptions {
  kernels?: CpuKernelSet;
}

/** Largest single buffer: 2 GiB (an ArrayBuffer everywhere; half of wasm32's 4 GiB memory). */
const MAX_BUFFER = 2 ** 31 - 4;

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly ledger = new MemoryLedger();
  readonly isLost = false;
  readonly adapter: AdapterSummary;
  readonly features: GpuFeatures = { f16: false, subgroups: false, timestampQuery: false };
  readonly limits: GpuLimitsSummary = {
    maxStorageBufferBindingSize: MAX_BUFFER,
    maxBufferSize: MAX_BUFFER,
    maxComputeWorkgroupStorageSize: 0,
    maxComputeInvocationsPerWorkgroup: 1,
    maxComputeWorkgroupsPerDimension: 0,
    maxStorageBuffersPerShaderStage: Number.MAX_SAFE_INTEGER,
  };
  readonly kernels: KernelFactory;
  private readonly live = new Set<CpuBuffer>();

  /** `wasm`: the WebAssembly kernels whose memory holds every buffer; null: the TypeScript kernels. */
  private constructor(readonly wasm: WasmKernels | null) {
    const threads = wasm?.threads ?? 1;
    const what = wasm ? 'WebAssembly SIMD kernels' : 'TypeScript reference kernels';
    this.adapter = { vendor: 'cpu', architecture: wasm ? 'wasm-simd' : 'typescript', device: 'CPU', description: `CPU, ${what}, ${threads} thread${threads > 1 ? 's' : ''}`, isSoftware: true };
    this.kernels = wasm ? wasmKernelFactory(this, wasm) : cpuKernels(this);
  }

  /** The backend with the WASM kernels (default), or the TypeScript reference kernels. */
  static async create(options: CpuBackendOptions = {}): Promise<CpuBackend> {
    if (options.kernels === 'typescript') return new CpuBackend(null);
    return new CpuBackend(await WasmKernels.create(options));
  }

  createStorage(label: string, bytes: number, category: MemoryCategory): CpuBuffer {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    if (size > MAX_BUFFER) throw new GpuOutOfMemoryError(label, size, 'larger than the CPU backend\'s largest buffer (2 GiB)');
    let buffer: CpuBuffer;
    try {
      buffer = this.wasm ? this.wasmBuffer(this.wasm, label, size) : CpuBuffer.owned(label, size);
    } catch (e) {
      throw new GpuOutOfMemoryError(label, size, `the CPU backend could not allocate it (${(e as Error).message})`);
    }
    this.ledger.record(buffer, category, size);
    this.live.add(buffer);
    return buffer;
  }

  storageFrom(label: string, data: ArrayBufferView, category: MemoryCategory): CpuBuffer {
    const buffer = this.createStorage(label, data.byteLength, category);
    this.upload(buffer, data);
    return buffer;
  }

  upload(buffer: DeviceBuffer, data: ArrayBufferView, offsetBytes = 0): void {
    cpuBuffer(buffer).bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offsetBytes);
  }

  /** A zeroed block of the WASM kernels' memory (as a new GPU buffer is zeroed). */
  private wasmBuffer(wasm: WasmKernels, label: string, size: number): CpuBuffer {
    const block = wasm.alloc(size);
    const buffer = new CpuBuffer(label, size, { buffer: () => wasm.memory.buffer, offset: block.ptr, wasm: block });
    buffer.bytes.fill(0);
    return buffer;
  }

  /** Frees a buffer once (releasing it again is a no-op, as for a destroyed GPUBuffer). */
  release(buffer: DeviceBuffer): void {
    const b = cpuBuffer(buffer);
    if (!this.live.delete(b)) return;
    this.ledger.release(b);
    if (b.wasm && this.wasm) this.wasm.free(b.wasm);
  }

  submit(encode: (pass: ComputePass) => void, label = 'compute'): void {
    const pass = new CpuPass(label);
    encode(pass);
    for (const work of pass.work) work();
  }

  copyBuffer(src: DeviceBuffer, srcOffset: number, dst: DeviceBuffer, dstOffset: number, bytes: number): void {
    cpuBuffer(dst).bytes.set(cpuBuffer(src).bytes.subarray(srcOffset, srcOffset + bytes), dstOffset);
  }

  async read(buffer: DeviceBuffer, bytes = buffer.size, offsetBytes = 0): Promise<ArrayBuffer> {
    const out = cpuBuffer(buffer).bytes.slice(offsetBytes, offsetBytes + bytes).buffer;
    // The work ran synchronously in submit(); a read is where a GPU run waits, so this is where the
    // engine's worker gets to handle its messages (Cancel, Pause, Stop) before the next piece of work.
    await yieldToEvents();
    return out;
  }

  async readF32(buffer: DeviceBuffer, count?: number, offsetElements = 0): Promise<Float32Array> {
    const n = count ?? buffer.size / 4 - offsetElements;
    return new Float32Array(await this.read(buffer, n * 4, offsetElements * 4));
  }

  async readU32(buffer: DeviceBuffer, count?: number, offsetElements = 0): Promise<Uint32Array> {
    const n = count ?? buffer.size / 4 - offsetElements;
    return new Uint32Array(await this.read(buffer, n * 4, offsetElements * 4));
  }

  /** Allocation is synchronous and throws at once: nothing is pending. */
  async checkAllocations(): Promise<void> {}

  /** Work runs inside submit(): done when submit returns. */
  async finish(): Promise<void> {}

  /** Memory cannot be lost the way a GPU device can. */
  onDeviceLost(_listener: (e: DeviceLostError) => void): () => void {
    return () => {};
  }

  /** Stops the WASM kernels' pool threads. */
  destroy(): void {
    this.wasm?.destroy();
  }
}

/** The TypeScript kernels, with the WASM twin wherever one exists (copies, the loss and the
 *  one-thread projected gradient stay TypeScript: they touch a few numbers). */
function wasmKernelFactory(mem: CpuBackend, wk: WasmKernels): KernelFactory {
  return {
    ...cpuKernels(mem),
    matmul: (o) => new WasmMatmul(wk, o),
    rmsnorm: (o) => new WasmRmsNorm(wk, o),
    rope: (o) => new WasmRope(wk, o),
    bias: (o) => new WasmBias(wk, o),
    swiglu: (o) => new WasmSwiglu(wk, o),
    embedding: (o) => new WasmEmbedding(wk, o),
    attention: (o) => new WasmAttention(wk, o),
    decodeAttention: (o) => new WasmDecodeAttention(wk, o),
    logprob: (o) => new WasmLogProb(wk, o),
    lora: (o) => new WasmLora(wk, o),
    sparseDelta: (o) => new WasmSparseDelta(wk, o),
    columnNorms: (x, inDim, maxRows, label) => new WasmColumnNorms(wk, mem, x, inDim, maxRows, label),
    zoProbe: (range, snapshot) => new WasmZoProbe(wk, range, snapshot),
    zoMixed: (ranges) => new WasmZoMixed(wk, ranges),
    zoPerturb: (range, _rangeParams, step, j, coef) => new WasmZoPerturb(wk, range, step, j, coef),
    zoUpdate: (range, _rangeParams, step, spec) => new WasmZoUpdate(wk, range, step, spec),
  };
}

function cpuKernels(mem: CpuBackend): KernelFactory {
  return {
    matmul: (o) => new CpuMatmul(o),
    rmsnorm: (o) => new CpuRmsNorm(o),
    rope: (o) => new CpuRope(o),
    bias: (o) => new CpuBias(o),
    swiglu: (o) => new CpuSwiglu(o),
    embedding: (o) => new CpuEmbedding(o),
    attention: (o) => new CpuAttention(o),
    kvAppend: (o) => new CpuKvAppend(o),
    decodeAttention: (o) => new CpuDecodeAttention(o),
    gatherRows: (o) => new CpuGatherRows(o),
    logprob: (o) => new CpuLogProb(o),
    loss: (logprobs, limits, extra) => new CpuLoss(mem, logprobs, limits, extra),
    lora: (o) => new CpuLora(o),
    sparseDelta: (o) => new CpuSparseDelta(o),
    columnNorms: (x, inDim, maxRows, label) => new CpuColumnNorms(mem, x, inDim, maxRows, label),
    zoProbe: (range, snapshot) => new CpuZoProbe(range, snapshot),
    zoMixed: (ranges) => new CpuZoMixed(ranges),
    zoStepParams: () => new CpuZoStepParams(mem),
    zoRangeParams: (r) => cpuRangeParams(mem, r),
    zoPerturb: (range, _rangeParams, step, j, coef) => new CpuZoPerturb(range, step, j, coef),
    zoUpdate: (range, _rangeParams, step, spec) => new CpuZoUpdate(range, step, spec),
    zoGrad: (entryPoint, o) => new CpuZoGrad(entryPoint, o),
  };
}

/**
 * Resolves after the event loop has run once (a macrotask, not a microtask): without it a run or an
 * influence computation on the CPU backend never lets its Web Worker receive a message until it
 * ends. setImmediate in Node; a MessageChannel elsewhere (setTimeout would be clamped to 4 ms).
 */
function yieldToEvents(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
