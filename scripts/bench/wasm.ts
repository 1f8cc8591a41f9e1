// WebAssembly SIMD kernel micro-benchmark (src/engine/wasm, sources wasm/*.ts): matmul GFLOP/s
// per weight format at the demo model's shapes (rows x k times the weight, batch 1 x 32 and
// 16 x 32 prefill rows, and a single row), Philox + Box-Muller z numbers/s, and a ZO perturb
// pass in parameters/s, each on 1 and on 2 threads, with the 2-thread speedup printed, and the
// 1-thread matmul per CPU second (what the kernel does when it has a core to itself).
// WASM_BENCH_FORMATS=f32,q4 (environment) limits the matmul to those formats.
import { quantize } from '../../src/engine/defs/quantFormat';
import { f32ToF16 } from '../../src/engine/defs/halfFloat';
import { BLOCK_LAYOUT, type BlockFormat } from '../../src/engine/defs/blockFormats';
import type { StorageFormat } from '../../src/engine/gpu/tensor';
import { WasmKernels, type WasmWeight } from '../../src/engine/wasm/kernels';
import { nodePoolThread } from '../../src/engine/wasm/nodePoolThread';

const FORMATS: StorageFormat[] = process.env.WASM_BENCH_FORMATS ? (process.env.WASM_BENCH_FORMATS.split(',') as StorageFormat[]) : ['f32', 'f16', 'q8', 'q4', 'bf16', 'q4k', 'q6k'];

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

function weightFor(wk: WasmKernels, format: StorageFormat, n: number, k: number): WasmWeight {
  const w = random(n * k, 1);
  if (format === 'f32') return wk.uploadWeight(format, n, k, w);
  if (format === 'f16') return wk.uploadWeight(format, n, k, f32ToF16(w));
  if (format === 'q8' || format === 'q4') {
    const q = quantize(format, w, n, k);
    return wk.uploadWeight(format, n, k, q.data, q.scales);
  }
  // bf16: the upper halves of the f32 weights (random bytes would be subnormals, which x86 multiplies slowly)
  if (format === 'bf16') return wk.uploadWeight(format, n, k, new Uint16Array(new Uint32Array(w.buffer).map((b) => b >>> 16)));
  // other block formats: random bytes with small normal f16 factors
  const { elems, bytes } = BLOCK_LAYOUT[format as BlockFormat];
  const data = new Uint8Array((n * k / elems) * bytes).map((_, i) => (i * 2654435761) >>> 24);
  const at = format === 'q6k' ? 208 : 0;
  for (let b = 0; b < data.length / bytes; b++) { data[b * bytes + at] = 0x00; data[b * bytes + at + 1] = 0x14; }
  return wk.uploadWeight(format, n, k, data);
}

/**
 * Seconds of one call of `fn`: the fastest of many short samples (~0.4 s in all), and the
 * process CPU seconds per call over the same samples. The fastest, not the median: on a shared
 * machine (this one runs several jobs on 2 cores) a sample that was not preempted is the one that
 * measures the kernel; CPU time is immune to preemption but counts every thread of the pool.
 */
function time(fn: () => void): { wall: number; cpu: number } {
  fn();
  const t0 = performance.now();
  fn();
  const once = Math.max(1e-3, (performance.now() - t0) / 1000);
  const reps = Math.max(5, Math.min(400, Math.round(0.4 / once)));
  let best = Infinity;
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  const c = process.cpuUsage(c0);
  return { wall: best, cpu: (c.user + c.system) / 1e6 / reps };
}

export async function benchWasm(log: (s: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const pools = [await WasmKernels.create({ threads: 1 }), await WasmKernels.create({ threads: 2, spawn: nodePoolThread })];
  log(`wasm kernels: SIMD, threads 1 and ${pools[1].threads}`);
  // demo model: hidden 192, intermediate 512, vocab 4096; the MLP up projection [512, 192] and down [192, 512]
  const shapes = [{ name: 'up 512x192', n: 512, k: 192 }, { name: 'down 192x512', n: 192, k: 512 }, { name: 'big 1024x1024', n: 1024, k: 1024 }];
  for (const rows of [512, 32, 1]) {
    for (const { name, n, k } of shapes) {
      const line: string[] = [];
      for (const format of FORMATS) {
        if (format.startsWith('q') && format.endsWith('k') && k % 256 !== 0) continue;
        const flops = 2 * rows * n * k;
        const [t1, t2] = pools.map((wk) => {
          const w = weightFor(wk, format, n, k);
          const x = wk.upload(random(rows * k, 2));
          const y = wk.allocF32(rows * n);
          const s = time(() => wk.matmul(x, w, y, rows));
          wk.freeWeight(w); wk.free(x); wk.free(y);
          return s;
        });
        const g1 = flops / t1.wall / 1e9, g2 = flops / t2.wall / 1e9, gCpu = flops / t1.cpu / 1e9;
        out[`wasm_matmul_${format}_${rows}x${k}x${n}_gflops_t1`] = g1;
        out[`wasm_matmul_${format}_${rows}x${k}x${n}_gflops_t2`] = g2;
        out[`wasm_matmul_${format}_${rows}x${k}x${n}_gflops_per_cpu_s`] = gCpu;
        line.push(`${format} ${g1.toFixed(1)}/${g2.toFixed(1)} (x${(g2 / g1).toFixed(2)}; ${gCpu.toFixed(1)} per CPU-s)`);
      }
      log(`  matmul GFLOP/s 1/2 threads, rows ${rows}, ${name}: ${line.join(', ')}`);
    }
  }
  const count = 1 << 20;
  const z = pools.map((wk) => {
    const buf = wk.allocF32(count);
    const gs = count / time(() => wk.gaussianRange(1, 2, 0, 3, count, buf)).wall;
    const ps = count / time(() => wk.zoPerturb({ theta: buf, offset: 0, count, stream: 3, decay: true }, { seed: 1, step: 2, eps: 1e-3 }, 0, 1)).wall;
    wk.free(buf);
    return { gs, ps };
  });
  out.wasm_philox_z_per_s_t1 = z[0].gs; out.wasm_philox_z_per_s_t2 = z[1].gs;
  out.wasm_perturb_params_per_s_t1 = z[0].ps; out.wasm_perturb_params_per_s_t2 = z[1].ps;
  log(`  Philox+Box-Muller z: ${(z[0].gs / 1e6).toFixed(1)} M/s (1 thread), ${(z[1].gs / 1e6).toFixed(1)} M/s (2; x${(z[1].gs / z[0].gs).toFixed(2)})`);
  log(`  ZO perturb pass: ${(z[0].ps / 1e6).toFixed(1)} M params/s (1 thread), ${(z[1].ps / 1e6).toFixed(1)} M/s (2; x${(z[1].ps / z[0].ps).toFixed(2)})`);
  for (const p of pools) p.destroy();
  return out;
}
