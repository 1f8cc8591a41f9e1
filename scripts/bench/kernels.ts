// Kernel benchmark: copy bandwidth (the yardstick), matrix-vector effective bandwidth and
// batched matmul GFLOP/s for every weight format (f32, f16, q8, q4, and the block formats a GGUF
// file keeps: q4k, q5k, q6k, bf16), all measured in one run on one adapter.
//
// Where the time goes on SwiftShader (CPU emulation of Vulkan, what CI and this container
// have): a workgroup runs on one CPU thread, its invocations a few at a time in SIMD lanes,
// as JIT-compiled code. The copy kernel is bound by host memory bandwidth through the 2
// cores we share; every matmul kernel is bound by instructions, not bytes: decoding a
// nibble (shift, mask, convert, subtract) plus its FMA costs several SIMD instructions per
// weight where the copy moves 16 bytes in one, so the q4/q8 matrix-vector "% of copy" there
// measures decode cost, not closeness to the memory system (q4 moves half the bytes of q8
// for about the same instructions and so posts a lower GB/s). The loop over up to 8 rows of
// x, uniform and unrolled on a GPU, probably runs all 8 passes masked there (not measured).
// Workgroup barriers are the other cost: measured on 1024x1024 q4, 32 threads per row with a
// shared-memory reduction took 180-900 ms against 30-70 ms for one thread per row, which is why matvecShapeFor()
// picks the latter on software adapters. The tiled batched kernels pay two barriers per
// 32-wide k step, so software adapters get the barrier-free row-block kernel instead
// (batchedVariantFor(), shaders/matmul_rowblock.wgsl); there this bench also times the tiled
// one for comparison. Figures on a shared 2-core machine vary by 2x between runs.
// On a real GPU the matrix-vector kernels are designed to be bandwidth-bound (16-byte
// coalesced weight loads, 32 threads per row, 8 rows per workgroup, N/8 workgroups), and the
// 70%-of-copy target applies. Measured on an H100 (README): f32 81.5% of copy; f16 32%, q8 41-50%,
// q4 16-18% miss it, and q4 takes longer than q8 for half the bytes (its weights, 8 MiB at
// 4096 x 4096, even fit in the 50 MB L2), so those kernels are bound by something other than
// bytes (decode, x re-reads: x is read once per row); not yet profiled.
// The batched matmul is also timed at M = 32 (a prompt prefill), where the tiled grid has only
// N/64 workgroups and the kernel splits K (splitKFor in matmul.ts); on a GPU each batched figure
// comes with the split count and the unsplit kernel's time on the same inputs.
import type { GpuContext } from '../../src/engine/gpu/context';
import { ElementwiseKernel } from '../../src/engine/gpu/kernels/elementwise';
import { MatmulKernel } from '../../src/engine/gpu/kernels/matmul';
import type { Dispatchable } from '../../src/engine/gpu/kernel';
import { weightBytes } from '../../src/engine/gpu/tensor';
import { supportedFormats, uploadBlocks, uploadWeight } from '../../src/engine/gpu/weights';
import { BLOCK_FORMATS, BLOCK_LAYOUT, blockMatrixBytes, type BlockFormat, type BlockMatrix } from '../../src/engine/defs/blockFormats';

const QUERY_RESOLVE = 0x200; // GPUBufferUsage.QUERY_RESOLVE
const COPY_SRC = 0x04;

interface BenchSizes {
  n: number; // weight rows (out)
  k: number; // weight cols (in)
  batchRows: number; // M of the batched matmul
  prefillRows: number; // M of the small batched matmul (a prompt prefill: the tiled grid is N/64 workgroups)
  repeats: number;
  targetMs: number; // each timed repeat runs about this long
}

function sizesFor(ctx: GpuContext): BenchSizes {
  return ctx.adapter.isSoftware
    ? { n: 1024, k: 1024, batchRows: 64, prefillRows: 32, repeats: 5, targetMs: 60 }
    : { n: 4096, k: 4096, batchRows: 512, prefillRows: 32, repeats: 9, targetMs: 30 };
}

/** Pseudo-random weights in (-1, 1) without the cost of a good generator. */
function fill(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Seconds per dispatch of `kernel`: `iters` dispatches in one pass per submit, timed with GPU
 * timestamps where the device has them (else wall clock around submit + finish), median of
 * `repeats` submits after a warmup that also picks `iters` to fill about targetMs.
 */
async function timeKernel(ctx: GpuContext, kernel: Dispatchable, sizes: BenchSizes): Promise<number> {
  const querySet = ctx.features.timestampQuery ? ctx.device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolved = querySet ? ctx.createBuffer('bench-timestamps', 16, QUERY_RESOLVE | COPY_SRC, 'scratch') : null;
  const run = async (iters: number): Promise<number> => {
    const encoder = ctx.device.createCommandEncoder({ label: `bench ${kernel.label}` });
    const pass = encoder.beginComputePass(
      querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {},
    );
    for (let i = 0; i < iters; i++) kernel.encode(pass);
    pass.end();
    if (querySet && resolved) encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
    const t0 = performance.now();
    ctx.device.queue.submit([encoder.finish()]);
    await ctx.finish();
    const wallSeconds = (performance.now() - t0) / 1000;
    if (resolved) {
      const [begin, end] = new BigUint64Array(await ctx.read(resolved, 16));
      const gpuSeconds = Number(end - begin) / 1e9;
      if (gpuSeconds > 0 && gpuSeconds <= wallSeconds * 1.5) return gpuSeconds / iters;
    }
    return wallSeconds / iters;
  };
  try {
    const once = await run(1); // warmup: pipeline first use, caches
    const iters = Math.max(1, Math.min(200, Math.round(sizes.targetMs / 1000 / Math.max(once, 1e-7))));
    await run(iters);
    const times: number[] = [];
    for (let r = 0; r < sizes.repeats; r++) times.push(await run(iters));
    return median(times);
  } finally {
    querySet?.destroy();
    if (resolved) ctx.release(resolved);
  }
}

const fmt = (v: number) => v.toPrecision(3).padStart(8);

/**
 * A [n, k] matrix in a block format with random codes and scales, its super-block factors d
 * and dmin fixed at 2^-10 (the kernels' work does not depend on the values).
 */
function benchBlocks(format: BlockFormat, n: number, k: number): BlockMatrix {
  const words = fill(Math.ceil(blockMatrixBytes(format, n, k) / 4), 5);
  const bytes = new Uint8Array(new Uint32Array(Array.from(words, (v) => Math.floor((v + 1) * 2 ** 31))).buffer, 0, blockMatrixBytes(format, n, k));
  const { bytes: size } = BLOCK_LAYOUT[format];
  const halfAt = format === 'q6k' ? [208] : format === 'bf16' ? [] : [0, 2];
  for (let o = 0; o < bytes.length; o += size) for (const h of halfAt) bytes.set([0x00, 0x14], o + h); // f16 0x1400 = 2^-10
  if (format === 'bf16') for (let i = 1; i < bytes.length; i += 2) bytes[i] = (bytes[i] & 0x80) | 0x3c; // exponents near 2^-7: no NaN/Inf
  return { format, rows: n, cols: k, bytes };
}

export async function benchKernels(ctx: GpuContext, log: (line: string) => void): Promise<Record<string, number>> {
  const sizes = sizesFor(ctx);
  const { n, k, batchRows, prefillRows } = sizes;
  const result: Record<string, number> = { matvecN: n, matvecK: k, batchedM: batchRows, prefillM: prefillRows };
  log(`kernels on ${ctx.adapter.description || ctx.adapter.device} (${ctx.adapter.isSoftware ? 'software' : 'hardware'}), weights ${n}x${k}, batched M=${batchRows}`);

  // Copy: the bandwidth yardstick, over as many bytes as the f32 weight matrix.
  const count = n * k;
  const src = ctx.storageFrom('bench-copy-src', fill(count, 1), 'scratch');
  const dst = ctx.createStorage('bench-copy-dst', count * 4, 'scratch');
  const copySeconds = await timeKernel(ctx, new ElementwiseKernel(ctx, 'copy', src, dst, count), sizes);
  const copyGBps = (2 * count * 4) / copySeconds / 1e9;
  result.copyGBps = copyGBps;
  log(`  copy            ${fmt(copyGBps)} GB/s  (${(copySeconds * 1e3).toFixed(3)} ms for ${(count * 4) / 2 ** 20} MiB read + written)`);
  ctx.release(src);
  ctx.release(dst);

  const x = ctx.storageFrom('bench-x', fill(batchRows * k, 2), 'scratch');
  const y = ctx.createStorage('bench-y', batchRows * n * 4, 'scratch');
  const values = fill(n * k, 3);
  for (const format of supportedFormats(ctx)) {
    const w = uploadWeight(ctx, `bench-w-${format}`, values, n, k, format, 'scratch');
    const kernel = new MatmulKernel(ctx, { x, w, y, maxRows: batchRows, label: `matmul ${format}` });

    kernel.setRows(1);
    const matvecSeconds = await timeKernel(ctx, kernel, sizes);
    const bytes = weightBytes(format, n, k) + k * 4 + n * 4;
    const gbps = bytes / matvecSeconds / 1e9;
    result[`${format}MatvecGBps`] = gbps;
    result[`${format}MatvecVsCopy`] = gbps / copyGBps;
    result[`${format}MatvecMs`] = matvecSeconds * 1e3;

    // One batched figure at M rows: GFLOP/s and ms, the K split and, where it split, the unsplit time.
    const unsplit = kernel.variant === 'tiled' ? new MatmulKernel(ctx, { x, w, y, maxRows: batchRows, label: `matmul ${format} unsplit`, splitTarget: 1 }) : null;
    const batched = async (m: number, key: string): Promise<string> => {
      kernel.setRows(m);
      const seconds = await timeKernel(ctx, kernel, sizes);
      const gflops = (2 * m * n * k) / seconds / 1e9;
      result[`${format}${key}GFlops`] = gflops;
      result[`${format}${key}Ms`] = seconds * 1e3;
      result[`${format}${key}SplitK`] = kernel.splitK;
      let split = '';
      if (unsplit && kernel.splitK > 1) {
        unsplit.setRows(m);
        const unsplitSeconds = await timeKernel(ctx, unsplit, sizes);
        result[`${format}${key}UnsplitMs`] = unsplitSeconds * 1e3;
        split = `, split K ${kernel.splitK}; unsplit ${(unsplitSeconds * 1e3).toFixed(3)} ms`;
      } else if (kernel.variant === 'tiled') {
        split = ', not split';
      }
      return `batched M=${m} ${fmt(gflops)} GFLOP/s (${(seconds * 1e3).toFixed(3)} ms${split})`;
    };
    const large = await batched(batchRows, 'Matmul');
    const prefill = await batched(prefillRows, 'Prefill');
    let versus = '';
    if (kernel.variant !== 'tiled') {
      const tiled = new MatmulKernel(ctx, { x, w, y, maxRows: batchRows, label: `matmul ${format} tiled`, variant: 'tiled' });
      const tiledSeconds = await timeKernel(ctx, tiled, sizes);
      result[`${format}MatmulTiledMs`] = tiledSeconds * 1e3;
      versus = `   ${kernel.variant} variant; tiled M=${batchRows} ${(tiledSeconds * 1e3).toFixed(2)} ms (split K ${tiled.splitK})`;
    }

    log(`  ${format} matvec     ${fmt(gbps)} GB/s  = ${fmt(100 * (gbps / copyGBps))}% of copy  (${(matvecSeconds * 1e3).toFixed(3)} ms)`);
    log(`     ${large}   ${prefill}${versus}`);
    ctx.release(w.data);
    if (w.scales) ctx.release(w.scales);
  }
  // Weights kept as a GGUF stores them (Q4_K, Q5_K, Q6_K, BF16): matrix-vector and batched.
  for (const format of BLOCK_FORMATS) {
    const w = uploadBlocks(ctx, `bench-w-${format}`, benchBlocks(format, n, k), 'scratch');
    const kernel = new MatmulKernel(ctx, { x, w, y, maxRows: batchRows, label: `matmul ${format}` });
    kernel.setRows(1);
    const matvecSeconds = await timeKernel(ctx, kernel, sizes);
    const gbps = (weightBytes(format, n, k) + k * 4 + n * 4) / matvecSeconds / 1e9;
    result[`${format}MatvecGBps`] = gbps;
    result[`${format}MatvecVsCopy`] = gbps / copyGBps;
    result[`${format}MatvecMs`] = matvecSeconds * 1e3;
    kernel.setRows(batchRows);
    const seconds = await timeKernel(ctx, kernel, sizes);
    result[`${format}MatmulGFlops`] = (2 * batchRows * n * k) / seconds / 1e9;
    result[`${format}MatmulMs`] = seconds * 1e3;
    result[`${format}MatmulSplitK`] = kernel.splitK;
    log(`  ${format} matvec    ${fmt(gbps)} GB/s  = ${fmt(100 * (gbps / copyGBps))}% of copy  (${(matvecSeconds * 1e3).toFixed(3)} ms)`);
    log(`     batched M=${batchRows} ${fmt(result[`${format}MatmulGFlops`])} GFLOP/s (${(seconds * 1e3).toFixed(3)} ms, ${kernel.variant}${kernel.splitK > 1 ? `, split K ${kernel.splitK}` : ''})`);
    ctx.release(w.data);
  }
  ctx.release(x);
  ctx.release(y);
  await ctx.checkAllocations();
  return result;
}
