// Sparse sensitive-parameter ZO tuning over a quantized base (SensZOQ, Guo et al. 2024).
// Per linear weight, the top `fraction` entries by sensitivity become trainable f32 values at
// fixed (row, col) positions, starting from the original unquantized value; every other entry
// stays frozen at q4/q8. Forward = quantized matmul + sparse correction (value - base) x.
// Perturbation and update touch only the values buffers; the frozen base is never written.
import type { Backend } from '../gpu/backend';
import type { LinearHook } from '../model/llama';
import type { LinearName, ModelWeights } from '../model/weights';
import { LINEAR_HF_NAMES } from '../model/weights';
import type { CheckpointReader } from '../model/loaders/types';
import { dequantize, quantize } from '../defs/quantFormat';
import { floatToHalf, halfToFloat } from '../defs/halfFloat';
import { isBlockFormat } from '../defs/blockFormats';
import type { StorageFormat } from '../gpu/tensor';
import { sensitivityScores, topK, type SensitivityScore } from './sensitivity';
import type { TrainableRange, TrainableSet } from './trainable';
import { ALL_LINEARS } from './trainable';
import type { DeviceBuffer } from '../gpu/device';

export interface SparseOptions {
  fraction: number;
  score: SensitivityScore | 'mask';
  seed: number;
  targets?: LinearName[];
  /** 'mask': flat indices (row * cols + col) per Hugging Face weight name. */
  mask?: Map<string, Uint32Array>;
  /** 'activation': sqrt of calibration sum of squares of each linear's input, keyed "layer.name". */
  columnNorms?: Map<string, Float32Array>;
}

export interface SparseMatrix {
  name: string; // Hugging Face weight name
  layer: number;
  target: LinearName;
  rows: number;
  cols: number;
  indices: Uint32Array; // flat row*cols+col, ascending
  rowStart: DeviceBuffer; // u32 [rows + 1]
  col: DeviceBuffer; // u32 [nnz]
  base: DeviceBuffer; // f32 [nnz]
  values: DeviceBuffer; // f32 [nnz], trainable
  initialValues: Float32Array;
}

export interface SparseTrainable extends TrainableSet {
  matrices: SparseMatrix[];
  options: SparseOptions;
}

/**
 * What the frozen base holds at each chosen entry (exactly what the GPU matmul uses). `w` is the
 * reader's f32 tensor: for a block format kept as stored (q4k, q5k, q6k, bf16) it is already the
 * exact decoding the GPU multiplies by.
 */
export function baseValuesAt(format: StorageFormat, w: Float32Array, cols: number, indices: Uint32Array): Float32Array {
  const out = new Float32Array(indices.length);
  indices.forEach((flat, e) => {
    if (format === 'f32' || isBlockFormat(format)) out[e] = w[flat];
    else if (format === 'f16') out[e] = halfToFloat(floatToHalf(w[flat]));
    else {
      // Groups quantize independently, so quantizing the entry's group alone gives the same codes.
      const start = flat - ((flat % cols) % 32);
      const group = quantize(format, w.subarray(start, start + 32), 1, 32);
      out[e] = dequantize(group)[flat - start];
    }
  });
  return out;
}

/** The formats of the frozen matrices, e.g. "q4" or "q4k + q6k" for a Q4_K_M file. */
function baseFormats(formats: StorageFormat[]): string {
  return [...new Set(formats)].sort().join(' + ');
}

export async function sparseTrainable(ctx: Backend, weights: ModelWeights, reader: CheckpointReader, o: SparseOptions): Promise<SparseTrainable> {
  if (!(o.fraction > 0 && o.fraction <= 1)) throw new Error(`sparse fraction must be in (0, 1], got ${o.fraction}`);
  const targets = o.targets ?? [...ALL_LINEARS];
  const matrices: SparseMatrix[] = [];
  const ranges: TrainableRange[] = [];
  let extraBytes = 0;
  for (let i = 0; i < weights.layers.length; i++) {
    for (const target of targets) {
      const gw = weights.layers[i][target];
      const name = `model.layers.${i}.${LINEAR_HF_NAMES[target]}.weight`;
      const w = await reader.readF32(name);
      let indices: Uint32Array;
      if (o.score === 'mask') {
        indices = Uint32Array.from(o.mask?.get(name) ?? []).sort();
        if (indices.some((v) => v >= gw.rows * gw.cols)) throw new Error(`mask for ${name} has an index outside its ${gw.rows}x${gw.cols} shape`);
      } else {
        const k = Math.max(1, Math.round(o.fraction * gw.rows * gw.cols));
        const norms = o.columnNorms?.get(`${i}.${target}`) ?? null;
        indices = topK(sensitivityScores(o.score, w, gw.rows, gw.cols, norms, o.seed * 131 + matrices.length), k);
      }
      const rowStart = new Uint32Array(gw.rows + 1);
      const cols = new Uint32Array(indices.length);
      indices.forEach((flat, e) => {
        rowStart[Math.floor(flat / gw.cols) + 1]++;
        cols[e] = flat % gw.cols;
      });
      for (let r = 0; r < gw.rows; r++) rowStart[r + 1] += rowStart[r];
      const initialValues = Float32Array.from(indices, (flat) => w[flat]);
      const nnz = Math.max(indices.length, 1); // zero-size buffers cannot be bound
      const pad = <T extends Float32Array | Uint32Array>(a: T, C: new (n: number) => T): T => {
        if (a.length >= nnz) return a;
        const p = new C(nnz);
        p.set(a);
        return p;
      };
      const m: SparseMatrix = {
        name, layer: i, target, rows: gw.rows, cols: gw.cols, indices, initialValues,
        rowStart: ctx.storageFrom(`${name}.rowStart`, rowStart, 'trainable'),
        col: ctx.storageFrom(`${name}.col`, pad(cols, Uint32Array), 'trainable'),
        base: ctx.storageFrom(`${name}.base`, pad(baseValuesAt(gw.format, w, gw.cols, indices), Float32Array), 'trainable'),
        values: ctx.storageFrom(`${name}.values`, pad(initialValues, Float32Array), 'trainable'),
      };
      extraBytes += 4 * (gw.rows + 1 + 3 * nnz);
      matrices.push(m);
      if (indices.length) ranges.push({ name, buffer: m.values, offset: 0, count: indices.length, stream: ranges.length, decay: true });
    }
  }
  const byKey = new Map(matrices.map((m) => [`${m.layer}.${m.target}`, m]));
  const hook: LinearHook = {
    build(hookCtx, layer, name, x, y, maxRows) {
      const m = byKey.get(`${layer}.${name}`);
      if (!m || m.indices.length === 0) return null;
      return hookCtx.kernels.sparseDelta({
        x, y, rowStart: m.rowStart, col: m.col, base: m.base, value: m.values,
        inDim: m.cols, outDim: m.rows, maxRows, label: `L${layer}.${name}.sparse`,
      });
    },
  };
  const parameters = ranges.reduce((n, r) => n + r.count, 0);
  const total = matrices.reduce((n, m) => n + m.rows * m.cols, 0);
  return {
    mode: 'sparse',
    ranges,
    hooks: [hook],
    parameters,
    extraBytes,
    matrices,
    options: o,
    release: () => {
      for (const m of matrices) for (const b of [m.rowStart, m.col, m.base, m.values]) ctx.release(b);
    },
    describe: () =>
      `sparse (${o.score}): ${parameters.toLocaleString('en-US')} trainable entries, ${((100 * parameters) / total).toFixed(3)}% of the linear weights, over a ${baseFormats(matrices.map((m) => weights.layers[m.layer][m.target].format))} base`,
  };
}
