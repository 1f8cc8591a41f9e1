// Memory and passes of the CPU backend. A CpuBuffer is the bytes a GPUBuffer would hold, with
// f32 and u32 views over them (every kernel buffer is 32-bit words, as in WGSL); a CpuPass is the
// list of kernels recorded into it, run in order when the backend submits it.
import type { ComputePass, DeviceBuffer } from '../../gpu/device';

export class CpuBuffer implements DeviceBuffer {
  readonly bytes: Uint8Array;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;

  constructor(
    readonly label: string,
    readonly size: number,
  ) {
    const buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.u32 = new Uint32Array(buffer);
  }
}

/** The CpuBuffer behind a DeviceBuffer; a buffer of another backend is a programming error. */
export function cpuBuffer(b: DeviceBuffer): CpuBuffer {
  if (!(b instanceof CpuBuffer)) throw new Error(`buffer "${b.label}" was not made by the CPU backend`);
  return b;
}

export class CpuPass implements ComputePass {
  readonly work: (() => void)[] = [];
  constructor(readonly label: string) {}
}

/** The CpuPass behind a ComputePass. */
export function cpuPass(p: ComputePass): CpuPass {
  if (!(p instanceof CpuPass)) throw new Error(`pass "${p.label}" was not made by the CPU backend`);
  return p;
}

/** A CPU kernel: encode() records run() into the pass; the backend runs it at submit. */
export abstract class CpuKernel {
  abstract readonly label: string;
  protected abstract run(): void;
  encode(pass: ComputePass): void {
    cpuPass(pass).work.push(() => this.run());
  }
  destroy(): void {}
}
