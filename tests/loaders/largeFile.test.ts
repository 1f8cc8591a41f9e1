// Streaming: a synthetic 1 GiB safetensors file (16 F32 tensors of 64 MiB, written sparsely to
// os.tmpdir()) loads tensor by tensor in Node with the JavaScript heap, and heap plus
// ArrayBuffers, under 300 MB at peak. A reader that held the whole file would need > 1 GiB.
import { closeSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { nodeFileSource } from '../../src/engine/model/loaders/nodeFileSource';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';

const TENSORS = 16;
const ELEMS = 16 * 1024 * 1024; // 64 MiB of f32 each
const LIMIT = 300 * 1024 * 1024;

it('loads a 1 GiB safetensors file tensor by tensor under 300 MB of JS heap', async () => {
  const path = join(tmpdir(), `zo-1gb-${process.pid}.safetensors`);
  const header: Record<string, unknown> = {};
  for (let i = 0; i < TENSORS; i++) header[`t${i}`] = { dtype: 'F32', shape: [4096, ELEMS / 4096], data_offsets: [i * ELEMS * 4, (i + 1) * ELEMS * 4] };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const dataStart = 8 + json.length;
  const fd = openSync(path, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeSync(fd, len, 0, 8, 0);
    writeSync(fd, Buffer.from(json), 0, json.length, 8);
    // Sparse: only a marker value at each tensor's first and last element is written.
    for (let i = 0; i < TENSORS; i++) {
      const v = Buffer.alloc(4);
      v.writeFloatLE(i + 1);
      writeSync(fd, v, 0, 4, dataStart + i * ELEMS * 4);
      writeSync(fd, v, 0, 4, dataStart + (i + 1) * ELEMS * 4 - 4);
    }
    ftruncateSync(fd, dataStart + TENSORS * ELEMS * 4);
  } finally {
    closeSync(fd);
  }
  try {
    const source = await nodeFileSource(path);
    expect(source.size).toBeGreaterThan(2 ** 30);
    const reader = await openSafetensors({}, [source]);
    let peakHeap = 0;
    let peakHeapAndBuffers = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakHeapAndBuffers = Math.max(peakHeapAndBuffers, m.heapUsed + m.arrayBuffers);
    };
    sample();
    for (let i = 0; i < TENSORS; i++) {
      const t = await reader.readF32(`t${i}`);
      sample(); // the tensor (and the bytes it came from) are alive here
      expect(t.length).toBe(ELEMS);
      expect([t[0], t[ELEMS - 1], t[ELEMS >> 1]]).toEqual([i + 1, i + 1, 0]);
    }
    await reader.close?.();
    const mb = (n: number) => (n / 1e6).toFixed(1);
    console.log(`1 GiB safetensors: peak heapUsed ${mb(peakHeap)} MB, peak heapUsed + arrayBuffers ${mb(peakHeapAndBuffers)} MB`);
    expect(peakHeap).toBeLessThan(LIMIT);
    expect(peakHeapAndBuffers).toBeLessThan(LIMIT);
  } finally {
    rmSync(path, { force: true });
  }
});
