// What the WebGPU kernel wrappers (gpu/kernels/*, kernel.ts) need of the device: GpuContext
// implements it. An interface of its own so the wrappers do not import context.ts, which builds
// the kernel factory from them (gpu/webgpuKernels.ts) and would otherwise close a circle.
import type { AdapterSummary, ComputePass, DeviceBuffer, GpuFeatures, GpuLimitsSummary } from './device';
import type { MemoryCategory } from './ledger';
import type { PipelineCache } from './pipelineCache';

export interface WebGpu {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
  readonly adapter: AdapterSummary;
  readonly features: GpuFeatures;
  readonly limits: GpuLimitsSummary;
  createStorage(label: string, bytes: number, category: MemoryCategory, extraUsage?: number): GPUBuffer;
  createUniform(label: string, bytes: number): GPUBuffer;
  createBuffer(label: string, bytes: number, usage: number, category: MemoryCategory): GPUBuffer;
  storageFrom(label: string, data: ArrayBufferView, category: MemoryCategory): GPUBuffer;
  upload(buffer: DeviceBuffer, data: ArrayBufferView, offsetBytes?: number): void;
  release(buffer: DeviceBuffer): void;
  submit(encode: (pass: GPUComputePassEncoder, encoder: GPUCommandEncoder) => void, label?: string): void;
  readF32(buffer: DeviceBuffer, count?: number, offsetElements?: number): Promise<Float32Array>;
}

/** The GPUBuffer behind a DeviceBuffer of the WebGPU backend (which only ever makes GPUBuffers). */
export function gpuBuffer(b: DeviceBuffer): GPUBuffer {
  return b as GPUBuffer;
}

/** The GPUComputePassEncoder behind a ComputePass of the WebGPU backend. */
export function gpuPass(p: ComputePass): GPUComputePassEncoder {
  return p as GPUComputePassEncoder;
}
