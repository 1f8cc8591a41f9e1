// GpuContext: one WebGPU device with its real limits, the pipeline cache, the memory
// ledger, and the few ways the engine touches the device (allocate, upload, encode, read).
// Platform-free: the caller hands in a GPU object (navigator.gpu, or Dawn's in Node).
import { DeviceLostError, GpuOutOfMemoryError, GpuValidationError, WebGpuUnavailableError, formatBytes } from './errors';
import { MemoryLedger, type MemoryCategory } from './ledger';
import { PipelineCache } from './pipelineCache';
import type { AdapterSummary, DeviceBuffer, GpuFeatures, GpuLimitsSummary } from './device';
import type { Backend, KernelFactory } from './backend';
import type { WebGpu } from './webgpu';
import { gpuBuffer } from './webgpu';
import { webGpuKernels } from './webgpuKernels';

export type { AdapterSummary, GpuFeatures, GpuLimitsSummary } from './device';

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Refuse f16 even when present (tests of the f32 path on f16-capable adapters). */
  disableF16?: boolean;
}

const STORAGE = 0x80; // GPUBufferUsage.STORAGE, spelled out so Node needs no globals
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const UNIFORM = 0x40;
const MAP_MODE_READ = 0x01;

export async function acquireGpu(gpu: GPU | undefined, options: AcquireOptions = {}): Promise<GpuContext> {
  if (!gpu) throw new WebGpuUnavailableError('this browser has no navigator.gpu');
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError('no GPU adapter was found (no driver, or WebGPU is disabled)');
  const wanted: GPUFeatureName[] = [];
  const has = (f: string) => adapter.features.has(f);
  if (has('shader-f16') && !options.disableF16) wanted.push('shader-f16');
  if (has('subgroups')) wanted.push('subgroups' as GPUFeatureName);
  if (has('timestamp-query')) wanted.push('timestamp-query');
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    label: 'zo-studio',
    requiredFeatures: wanted,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  const summary: AdapterSummary = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isSoftware: /swiftshader|llvmpipe|software|cpu/i.test(text) || (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
  };
  return new GpuContext(device, summary, {
    f16: device.features.has('shader-f16'),
    subgroups: device.features.has('subgroups'),
    timestampQuery: device.features.has('timestamp-query'),
  });
}

export class GpuContext implements Backend, WebGpu {
  readonly kind = 'webgpu' as const;
  readonly pipelines: PipelineCache;
  readonly kernels: KernelFactory;
  readonly ledger = new MemoryLedger();
  readonly limits: GpuLimitsSummary;
  private readonly pendingAllocations: Promise<Error | null>[] = [];
  private readonly lostListeners = new Set<(e: DeviceLostError) => void>();
  private stagingBuffers = new Map<number, GPUBuffer[]>();
  private lostError: DeviceLostError | null = null;
  private destroyed = false;

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    readonly features: GpuFeatures,
  ) {
    this.pipelines = new PipelineCache(device);
    this.kernels = webGpuKernels(this);
    const l = device.limits;
    this.limits = {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    };
    void device.lost.then((info) => {
      if (this.destroyed && info.reason === 'destroyed') return;
      this.lostError = new DeviceLostError(info.reason ?? 'unknown', info.message ?? '');
      for (const listener of this.lostListeners) listener(this.lostError);
    });
  }

  /** Device loss is an event: the trainer stops, the UI explains and offers a reload. */
  onDeviceLost(listener: (e: DeviceLostError) => void): () => void {
    this.lostListeners.add(listener);
    if (this.lostError) listener(this.lostError);
    return () => this.lostListeners.delete(listener);
  }

  get isLost(): boolean {
    return this.lostError !== null;
  }

  /** A storage buffer (also copyable both ways) recorded in the ledger under `category`. */
  createStorage(label: string, bytes: number, category: MemoryCategory, extraUsage = 0): GPUBuffer {
    return this.createBuffer(label, bytes, STORAGE | COPY_SRC | COPY_DST | extraUsage, category);
  }

  createUniform(label: string, bytes: number): GPUBuffer {
    return this.createBuffer(label, Math.max(16, align(bytes, 16)), UNIFORM | COPY_DST, 'scratch');
  }

  createBuffer(label: string, bytes: number, usage: number, category: MemoryCategory): GPUBuffer {
    this.throwIfLost();
    const size = Math.max(4, align(bytes, 4));
    if (size > this.limits.maxBufferSize) {
      throw new GpuOutOfMemoryError(label, size, `larger than this adapter's maxBufferSize of ${formatBytes(this.limits.maxBufferSize)}`);
    }
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const buffer = this.device.createBuffer({ label, size, usage });
    const validation = this.device.popErrorScope();
    const oom = this.device.popErrorScope();
    this.pendingAllocations.push(
      Promise.all([validation, oom]).then(([v, o]) => {
        if (o) return new GpuOutOfMemoryError(label, size, o.message);
        if (v) return new GpuValidationError(`buffer "${label}"`, v.message);
        return null;
      }),
    );
    this.ledger.record(buffer, category, size);
    return buffer;
  }

  /** Throws the first allocation failure since the last check (allocation itself is synchronous). */
  async checkAllocations(): Promise<void> {
    const pending = this.pendingAllocations.splice(0);
    const results = await Promise.all(pending);
    const failure = results.find((r) => r !== null);
    if (failure) throw failure;
  }

  release(buffer: DeviceBuffer): void {
    this.ledger.release(buffer);
    gpuBuffer(buffer).destroy();
  }

  upload(buffer: DeviceBuffer, data: ArrayBufferView, offsetBytes = 0): void {
    this.device.queue.writeBuffer(gpuBuffer(buffer), offsetBytes, data.buffer, data.byteOffset, data.byteLength);
  }

  copyBuffer(src: DeviceBuffer, srcOffset: number, dst: DeviceBuffer, dstOffset: number, bytes: number): void {
    this.throwIfLost();
    const encoder = this.device.createCommandEncoder({ label: 'copy' });
    encoder.copyBufferToBuffer(gpuBuffer(src), srcOffset, gpuBuffer(dst), dstOffset, bytes);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Upload a new storage buffer holding `data`. */
  storageFrom(label: string, data: ArrayBufferView, category: MemoryCategory): GPUBuffer {
    const buffer = this.createStorage(label, data.byteLength, category);
    this.upload(buffer, data);
    return buffer;
  }

  /** Record compute work in a single pass and submit it. */
  submit(encode: (pass: GPUComputePassEncoder, encoder: GPUCommandEncoder) => void, label = 'compute'): void {
    this.throwIfLost();
    const encoder = this.device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass({ label });
    encode(pass, encoder);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  /** Run `work` under a validation error scope and raise what WebGPU rejected as a typed error. */
  async validated<T>(what: string, work: () => T): Promise<T> {
    this.device.pushErrorScope('validation');
    const result = work();
    const error = await this.device.popErrorScope();
    if (error) throw new GpuValidationError(what, error.message);
    return result;
  }

  /** Copy `bytes` from `buffer` to the CPU. This is a GPU-CPU sync point: keep it out of hot loops. */
  async read(buffer: DeviceBuffer, bytes = buffer.size, offsetBytes = 0): Promise<ArrayBuffer> {
    this.throwIfLost();
    const size = align(bytes, 4);
    const staging = this.takeStaging(size);
    const encoder = this.device.createCommandEncoder({ label: 'readback' });
    encoder.copyBufferToBuffer(gpuBuffer(buffer), offsetBytes, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(MAP_MODE_READ, 0, size);
    } catch (e) {
      this.throwIfLost();
      throw e;
    }
    const copy = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    this.returnStaging(size, staging);
    return copy;
  }

  async readF32(buffer: DeviceBuffer, count?: number, offsetElements = 0): Promise<Float32Array> {
    const n = count ?? (buffer.size / 4 - offsetElements);
    return new Float32Array(await this.read(buffer, n * 4, offsetElements * 4));
  }

  async readU32(buffer: DeviceBuffer, count?: number, offsetElements = 0): Promise<Uint32Array> {
    const n = count ?? (buffer.size / 4 - offsetElements);
    return new Uint32Array(await this.read(buffer, n * 4, offsetElements * 4));
  }

  /** Wait until all submitted work has finished (benchmarks). */
  async finish(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    this.destroyed = true;
    for (const list of this.stagingBuffers.values()) for (const b of list) b.destroy();
    this.stagingBuffers.clear();
    this.device.destroy();
  }

  private takeStaging(size: number): GPUBuffer {
    const list = this.stagingBuffers.get(size);
    const reused = list?.pop();
    if (reused) return reused;
    return this.createBuffer(`staging-${size}`, size, MAP_READ | COPY_DST, 'staging');
  }

  private returnStaging(size: number, buffer: GPUBuffer): void {
    const list = this.stagingBuffers.get(size) ?? [];
    if (list.length < 4) {
      list.push(buffer);
      this.stagingBuffers.set(size, list);
    } else {
      this.release(buffer);
    }
  }

  private throwIfLost(): void {
    if (this.lostError) throw this.lostError;
  }
}

export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
