// Typed GPU failures. Each message says what the user can do about it, because these
// reach the UI and the CLI verbatim.

export class WebGpuUnavailableError extends Error {
  readonly kind = 'webgpu-unavailable';
  constructor(detail: string) {
    super(
      `WebGPU is not available: ${detail}. Use Chrome or Edge 113+ (on Linux start it with ` +
        `--enable-unsafe-webgpu and a Vulkan driver), Safari 26+, or Firefox 141+ on Windows.`,
    );
    this.name = 'WebGpuUnavailableError';
  }
}

export class GpuOutOfMemoryError extends Error {
  readonly kind = 'gpu-out-of-memory';
  constructor(what: string, bytes: number, detail?: string) {
    super(
      `The GPU ran out of memory while allocating ${what} (${formatBytes(bytes)}). ` +
        `Try 4-bit (q4) weights, a smaller batch, or a shorter sequence length.` +
        (detail ? ` (${detail})` : ''),
    );
    this.name = 'GpuOutOfMemoryError';
  }
}

export class GpuValidationError extends Error {
  readonly kind = 'gpu-validation';
  constructor(what: string, detail: string) {
    super(`WebGPU rejected ${what}: ${detail}`);
    this.name = 'GpuValidationError';
  }
}

export class ShaderCompileError extends Error {
  readonly kind = 'shader-compile';
  constructor(shader: string, messages: string) {
    super(`WGSL shader "${shader}" failed to compile:\n${messages}`);
    this.name = 'ShaderCompileError';
  }
}

export class DeviceLostError extends Error {
  readonly kind = 'device-lost';
  constructor(reason: string, detail: string) {
    super(
      `The GPU device was lost (${reason}${detail ? `: ${detail}` : ''}). ` +
        `Your runs are saved; reload the model to continue from the last saved step.`,
    );
    this.name = 'DeviceLostError';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
