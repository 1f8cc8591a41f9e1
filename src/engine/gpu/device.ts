// What the engine above the kernels knows of a backend's memory and passes: a buffer is a size
// and a label (a GPUBuffer on WebGPU, bytes in memory on the CPU backend); a pass is where
// kernels record their work (a GPUComputePassEncoder, or the CPU backend's list of kernels run
// in order at submit). Only the backend that made a buffer or a pass looks inside it.

/** Where the kernels run: WebGPU, or the CPU backend (backends/cpu). */
export type BackendKind = 'webgpu' | 'cpu';

export interface DeviceBuffer {
  readonly size: number;
  readonly label: string;
}

/** A range of a buffer bound to one kernel slot (a loss slot of the ZO plan's losses buffer). */
export interface DeviceBinding {
  buffer: DeviceBuffer;
  offset?: number;
  size?: number;
}

export interface ComputePass {
  readonly label: string;
}

export interface GpuFeatures {
  f16: boolean;
  subgroups: boolean;
  timestampQuery: boolean;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU emulation (SwiftShader): timings are not GPU timings. */
  isSoftware: boolean;
}

export interface GpuLimitsSummary {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
}
