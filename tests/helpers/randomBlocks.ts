// Random matrices in the block formats (q4k, q5k, q6k, bf16, q4_1, q5_0, q5_1) for kernel tests:
// every code, scale and high-bit byte uniformly random (so each bit of the layout matters), the
// f16 block factors d and dmin (m) random normal halves in +-[2^-12, 2^-9] with every 7th block's a
// subnormal half (real files have them), and bf16 weights the upper halves of uniform(-1, 1)
// f32 values. The CPU twin (decodeBlocks) gives what the GPU must multiply by.
import { BLOCK_LAYOUT, blockMatrixBytes, type BlockFormat, type BlockMatrix } from '../../src/engine/defs/blockFormats';
import { randomArray } from './allclose';

export function randomBlockMatrix(format: BlockFormat, rows: number, cols: number, seed: number): BlockMatrix {
  const size = blockMatrixBytes(format, rows, cols);
  const u = randomArray(size, seed);
  const bytes = Uint8Array.from(u, (v) => Math.floor((v + 1) * 128) & 0xff);
  if (format === 'bf16') {
    const f = randomArray(rows * cols, seed + 1);
    const halves = new Uint16Array(new Uint32Array(f.buffer).map((b) => b >>> 16));
    return { format, rows, cols, bytes: new Uint8Array(halves.buffer) };
  }
  const { bytes: blockBytes } = BLOCK_LAYOUT[format];
  const blocks = size / blockBytes;
  const factors = randomArray(2 * blocks, seed + 2);
  const setHalf = (at: number, v: number, blk: number) => {
    // a normal half: exponent 3..6 (2^-12 .. 2^-9), random 10-bit mantissa; every 7th block subnormal
    const mant = Math.floor(Math.abs(v) * 1023);
    const exp = blk % 7 === 3 ? 0 : 3 + (Math.floor(Math.abs(v) * 4000) % 4);
    const h = (v < 0 ? 0x8000 : 0) | (exp << 10) | mant;
    bytes[at] = h & 0xff;
    bytes[at + 1] = h >> 8;
  };
  for (let b = 0; b < blocks; b++) {
    const o = b * blockBytes;
    setHalf(o + (format === 'q6k' ? 208 : 0), factors[2 * b], b); // d
    if (format !== 'q6k' && format !== 'q5_0') setHalf(o + 2, factors[2 * b + 1], b); // dmin / m
  }
  return { format, rows, cols, bytes };
}
