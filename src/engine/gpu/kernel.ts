// The one way kernels are dispatched: a pipeline from the cache, a bind group made once at
// load time, and a small uniform parameter block that is rewritten only when it changes.
// "Allocate at load, encode at step": encode() records a dispatch and allocates nothing.
import { gpuBuffer, gpuPass, type WebGpu } from './webgpu';
import type { OverrideConstants } from './pipelineCache';
import type { DeviceBuffer, DeviceBinding, ComputePass } from './device';

export interface Dispatchable {
  readonly label: string;
  encode(pass: ComputePass): void;
}

export type Grid = readonly [number, number, number];

/** Largest x dimension we use, so a linear index fits `wid.x + wid.y * MAX_GRID_X`. */
export const MAX_GRID_X = 32768;

/**
 * Workgroups covering `items` with `perGroup` items each, folded into y when x would exceed
 * the per-dimension limit. Shaders rebuild the linear index as `wid.x + wid.y * nwg.x`.
 */
export function linearGrid(items: number, perGroup: number): Grid {
  const groups = Math.max(1, Math.ceil(items / perGroup));
  if (groups <= MAX_GRID_X) return [groups, 1, 1];
  return [MAX_GRID_X, Math.ceil(groups / MAX_GRID_X), 1];
}

export interface KernelSpec {
  /** Name used for the pipeline cache and error messages, e.g. "rmsnorm". */
  name: string;
  code: string;
  entryPoint?: string;
  constants?: OverrideConstants;
  /** Buffers for @group(0) @binding(0..n-1), in binding order. */
  bindings: (DeviceBuffer | DeviceBinding)[];
  grid: Grid;
  label?: string;
}

function isBufferBinding(b: DeviceBuffer | DeviceBinding): b is DeviceBinding {
  return (b as DeviceBinding).buffer !== undefined && !('mapState' in b);
}

export class BoundKernel implements Dispatchable {
  readonly label: string;
  grid: Grid;
  private readonly pipeline: GPUComputePipeline;
  private readonly bindGroup: GPUBindGroup;

  constructor(ctx: WebGpu, spec: KernelSpec) {
    this.label = spec.label ?? spec.name;
    this.grid = spec.grid;
    this.pipeline = ctx.pipelines.get(spec.name, spec.code, spec.entryPoint ?? 'main', spec.constants ?? {});
    this.bindGroup = ctx.device.createBindGroup({
      label: this.label,
      layout: this.pipeline.getBindGroupLayout(0),
      entries: spec.bindings.map((b, binding) => ({
        binding,
        resource: isBufferBinding(b) ? { ...b, buffer: gpuBuffer(b.buffer) } : { buffer: gpuBuffer(b) },
      })),
    });
  }

  encode(computePass: ComputePass): void {
    if (this.grid[0] === 0 || this.grid[1] === 0 || this.grid[2] === 0) return;
    const pass = gpuPass(computePass);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(this.grid[0], this.grid[1], this.grid[2]);
  }
}

/**
 * A uniform block of 32-bit fields in declaration order (u32 or f32, as the WGSL struct
 * says). set() writes to the queue only when a value changed; the write lands before the
 * next submit, so one instance must hold one set of values per submitted command buffer.
 */
export class ParamBlock<K extends string> {
  readonly buffer: DeviceBuffer;
  private readonly data: ArrayBuffer;
  private readonly u32: Uint32Array;
  private readonly f32: Float32Array;
  private dirty = true;

  constructor(
    private readonly ctx: WebGpu,
    label: string,
    private readonly fields: readonly { name: K; type: 'u32' | 'f32' | 'i32' }[],
  ) {
    const bytes = Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
    this.data = new ArrayBuffer(bytes);
    this.u32 = new Uint32Array(this.data);
    this.f32 = new Float32Array(this.data);
    this.buffer = ctx.createUniform(label, bytes);
  }

  /** Frees the uniform buffer (the kernel that owns this block is being destroyed). */
  destroy(): void {
    this.ctx.release(this.buffer);
  }

  set(values: Partial<Record<K, number>>): void {
    this.fields.forEach((f, i) => {
      const v = values[f.name];
      if (v === undefined) return;
      if (f.type === 'f32') {
        if (this.f32[i] !== Math.fround(v)) {
          this.f32[i] = v;
          this.dirty = true;
        }
      } else {
        const bits = f.type === 'i32' ? v | 0 : v >>> 0;
        if (this.u32[i] !== bits >>> 0) {
          this.u32[i] = bits;
          this.dirty = true;
        }
      }
    });
    if (this.dirty) {
      this.ctx.upload(this.buffer, new Uint8Array(this.data));
      this.dirty = false;
    }
  }
}
