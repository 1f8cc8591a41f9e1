// The kernels' one linear memory and its allocator. The wasm module never allocates: every
// tensor, weight and scratch area is a block handed out here (first fit over a free list kept in
// address order, neighbours merged on free, 16-byte aligned for v128 loads), and the memory grows
// when no free block fits. Views are made fresh from memory.buffer on every call, since growing
// replaces the buffer (and detaches it when the memory is not shared).

const ALIGN = 16;
const PAGE = 65536;

/** A block of the kernels' memory: `bytes` bytes at byte address `ptr`. */
export interface WasmBuffer {
  readonly ptr: number;
  readonly bytes: number;
}

export class WasmHeap {
  /** Free blocks [start, end) in address order. */
  private free: { start: number; end: number }[] = [];
  private live = new Map<number, number>();

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    const start = Math.ceil(base / ALIGN) * ALIGN;
    this.free.push({ start, end: memory.buffer.byteLength });
  }

  /** A block of at least `bytes` bytes (contents undefined). */
  alloc(bytes: number): WasmBuffer {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new Error(`wasm heap: cannot allocate ${bytes} bytes`);
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = this.free.findIndex((b) => b.end - b.start >= size);
    if (i < 0) i = this.grow(size);
    const block = this.free[i];
    const ptr = block.start;
    block.start += size;
    if (block.start === block.end) this.free.splice(i, 1);
    this.live.set(ptr, size);
    return { ptr, bytes };
  }

  release(buf: WasmBuffer): void {
    const size = this.live.get(buf.ptr);
    if (size === undefined) throw new Error(`wasm heap: block at ${buf.ptr} is not allocated (freed twice?)`);
    this.live.delete(buf.ptr);
    const start = buf.ptr, end = buf.ptr + size;
    let i = this.free.findIndex((b) => b.start > start);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { start, end });
    // merge with the next and the previous block
    if (i + 1 < this.free.length && this.free[i + 1].start === end) {
      this.free[i].end = this.free[i + 1].end;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].end === start) {
      this.free[i - 1].end = this.free[i].end;
      this.free.splice(i, 1);
    }
  }

  /** Bytes handed out and not yet released. */
  get liveBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  private grow(size: number): number {
    const oldEnd = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last.end === oldEnd ? last.end - last.start : 0;
    const pages = Math.ceil((size - tail) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      throw new Error(`wasm heap: out of memory growing by ${pages * PAGE} bytes past ${oldEnd} (the wasm32 limit is 4 GiB; use a smaller model, batch or a quantized precision)`);
    }
    const newEnd = this.memory.buffer.byteLength;
    if (tail > 0) {
      last.end = newEnd;
      return this.free.length - 1;
    }
    this.free.push({ start: oldEnd, end: newEnd });
    return this.free.length - 1;
  }
}
