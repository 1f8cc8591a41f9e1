// Memory and passes of the CPU backend. A CpuBuffer is the bytes a GPUBuffer would hold (in the
// WASM kernels' memory, or an ArrayBuffer of its own for the TypeScript kernels), with f32 and u32
// views over them (every kernel buffer is 32-bit words, as in WGSL); a CpuPass is the list of
// kernels recorded into it, run in order when the backend submits it.
import type { ComputePass, DeviceBuffer } from '../../gpu/device';
import type { WasmBuffer } from '../../wasm/kernels';

/** Where a CpuBuffer's bytes live: its own ArrayBuffer, or a block of the WASM kernels' memory. */
export interface CpuStorage {
  /** The current backing buffer (a WebAssembly memory's changes when it grows). */
  buffer(): ArrayBufferLike;
  offset: number;
  /** The block in the WASM kernels' memory, when the bytes live there. */
  wasm: WasmBuffer | null;
}

export class CpuBuffer implements DeviceBuffer {
  private views: { buffer: ArrayBufferLike; bytes: Uint8Array; f32: Float32Array; u32: Uint32Array } | null = null;

  constructor(
    readonly label: string,
    readonly size: number,
    private readonly storage: CpuStorage,
  ) {}

  /** A buffer with an ArrayBuffer of its own (the TypeScript kernels). */
  static owned(label: string, size: number): CpuBuffer {
    const own = new ArrayBuffer(size);
    return new CpuBuffer(label, size, { buffer: () => own, offset: 0, wasm: null });
  }

  /** Its block in the WASM kernels' memory (null for an owned buffer). */
  get wasm(): WasmBuffer | null {
    return this.storage.wasm;
  }

  /** Views over the bytes, made again when the memory behind them has grown. */
  private view() {
    const buffer = this.storage.buffer();
    if (this.views?.buffer !== buffer) {
      const { offset } = this.storage;
      this.views = {
        buffer,
        bytes: new Uint8Array(buffer, offset, this.size),
        f32: new Float32Array(buffer, offset, this.size >> 2),
        u32: new Uint32Array(buffer, offset, this.size >> 2),
      };
    }
    return this.views;
  }
  get bytes(): Uint8Array {
    return this.view().bytes;
  }
  get f32(): Float32Array {
    return this.view().f32;
  }
  get u32(): Uint32Array {
    return this.view().u32;
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
