// Matrix multiply of activations by a linear weight: y[m, n] (=|+=) sum_k x[m, k] w[n, k]
// (shaders/matmul_{f32,f16,q8,q4,blocks}.wgsl + matmul_common.wgsl), w [out, in] in any storage format. Two strategies
// per format, both built at load: a matrix-vector kernel for M <= MATVEC_MAX_ROWS (decode and
// token-by-token work: memory-bound) and a 64 x 64 tiled kernel for larger M (prefill and
// training batches: compute-bound). setRows() picks one for the next dispatch. On CPU-emulated
// adapters the batched kernel is the barrier-free row-block kernel (matmul_rowblock.wgsl)
// instead of the tiled one: see batchedVariantFor(). When the tiled grid is too small to fill
// the GPU, K is split across workgroups and matmul_splitk.wgsl adds the slices: see splitKFor().
import f32Code from '../../../../shaders/matmul_f32.wgsl?raw';
import f16Code from '../../../../shaders/matmul_f16.wgsl?raw';
import f16NativePrelude from '../../../../shaders/matmul_f16_native.wgsl?raw';
import f16UnpackPrelude from '../../../../shaders/matmul_f16_unpack.wgsl?raw';
import q8Code from '../../../../shaders/matmul_q8.wgsl?raw';
import commonCode from '../../../../shaders/matmul_common.wgsl?raw';
import q4Code from '../../../../shaders/matmul_q4.wgsl?raw';
import rowblockCode from '../../../../shaders/matmul_rowblock.wgsl?raw';
import rowblockLeanCode from '../../../../shaders/matmul_rowblock_lean.wgsl?raw';
import splitkCode from '../../../../shaders/matmul_splitk.wgsl?raw';
import blocksCode from '../../../../shaders/matmul_blocks.wgsl?raw';
import { blockMatrixProblem, isBlockFormat } from '../../defs/blockFormats';
import { blockDecoderCode } from './blockDecoders';
import type { WebGpu } from '../webgpu';
import { BoundKernel, ParamBlock, linearGrid, type Dispatchable, type Grid } from '../kernel';
import type { GpuWeight, StorageFormat } from '../tensor';
import type { DeviceBuffer, ComputePass } from '../device';

export interface MatmulOptions {
  x: DeviceBuffer; // f32 [maxRows, w.cols]
  w: GpuWeight;
  y: DeviceBuffer; // f32 [maxRows, w.rows]
  maxRows: number;
  accumulate?: boolean; // y += instead of y =
  label?: string;
  /** Matrix-vector workgroup shape; default matvecShapeFor(ctx). Tests use it to cover both. */
  matvecShape?: MatvecShape;
  /** Batched (M > 8) kernel; default batchedVariantFor(ctx). Tests use it to cover both. */
  variant?: BatchedVariant;
  /**
   * Workgroups the split-K rule aims at, at most (and by default) SPLIT_TARGET_WORKGROUPS.
   * Tests lower it to reach split and unsplit shapes at sizes CPU emulation can run; 1
   * never splits (the bench times the unsplit kernel that way).
   */
  splitTarget?: number;
}

/** 'tiled': 64 x 64 tiles through workgroup memory (GPUs). 'software': matmul_rowblock.wgsl. */
export type BatchedVariant = 'tiled' | 'software';

/**
 * The tiled kernel stages x and w through workgroup memory with two barriers per 32-wide k
 * step; on CPU emulation (SwiftShader) each barrier switches every invocation's coroutine and
 * workgroup memory is just more memory, so there a barrier-free kernel in which each
 * invocation computes a 16 x 16 block straight from storage is 4.5-7.5x faster (measured at
 * M = 512, K, N in {192, 512}: see the header of matmul_rowblock.wgsl). A real GPU keeps the
 * tiled kernel (matmul_common.wgsl), which reads weights through the same unit8/group_scale.
 */
export function batchedVariantFor(ctx: WebGpu): BatchedVariant {
  return ctx.adapter.isSoftware ? 'software' : 'tiled';
}

/** `workgroup` threads per matrix-vector workgroup, `team` of them per output row. */
export interface MatvecShape {
  workgroup: number;
  team: number;
}

/**
 * On a GPU, 32 threads share a row so each step of a team is one 512-byte coalesced read,
 * and 8 rows per workgroup keep N/8 workgroups in flight. On CPU emulation (SwiftShader) a
 * workgroup barrier switches every invocation's coroutine and costs more than the whole
 * row, so there one thread owns a row and the shader skips the reduction (6-10x faster).
 */
export function matvecShapeFor(ctx: WebGpu): MatvecShape {
  return ctx.adapter.isSoftware ? { workgroup: 64, team: 1 } : { workgroup: 256, team: 32 };
}

/** Largest M the matrix-vector kernel takes (MV_MAX_M in the shaders). */
export const MATVEC_MAX_ROWS = 8;
/** Output tile edge of the tiled kernels (TILE in the shaders). */
const TILE = 64;
/** k columns per step of the tiled kernel, and per quantization group. */
const K_STEP = 32;
/** Output block edge of one row-block invocation, and invocations per workgroup (RB_WG). */
const BLOCK = 16;
const ROWBLOCK_WG = 64;
/** Threads per workgroup of the split-K reduction (WG in matmul_splitk.wgsl). */
const SUM_SLICES_WG = 256;

/**
 * Workgroups a split tiled grid aims at: a few resident on every SM of a large GPU (132 SMs on
 * an H100). Also the bound of the shared scratch: S x tiles <= this, so S x M x N <= this x 64 x 64.
 */
export const SPLIT_TARGET_WORKGROUPS = 1024;
/** Most K slices: past this the reduction's reads (S x M x N) stop being small. */
export const MAX_SPLIT = 16;
/** Fewest 32-wide k steps per slice, so a slice's work still outweighs its tile's store. */
export const MIN_SLICE_STEPS = 4;
/** Size of the one [S, M, N] partial-product scratch every splitting kernel of a context shares. */
export const SPLIT_SCRATCH_BYTES = SPLIT_TARGET_WORKGROUPS * TILE * TILE * 4;

export interface KSplit {
  /** K slices S (grid z); 1 is the plain tiled kernel. */
  splits: number;
  /** 32-wide k steps per slice; the last slice may have fewer. */
  sliceSteps: number;
}

/**
 * How the tiled kernel splits K for an M x N output with K columns. Each workgroup walks its
 * k steps one after another (two barriers each), so a grid of few 64 x 64 tiles leaves most of
 * a GPU idle for K / 32 sequential steps: on an H100 a random 0.7B Llama's forward over 32
 * tokens took 24.6 ms unsplit, ~2.7 us per step of its longest chains, while its weights are
 * read in ~1 ms.
 * S = min(MAX_SPLIT, floor(steps / MIN_SLICE_STEPS), floor(target / tiles)), no split below 2;
 * slices are whole k steps (so whole quantization groups), and S is then trimmed so no slice is
 * empty. S x tiles <= target, which bounds the scratch (SPLIT_SCRATCH_BYTES).
 * Measured on an H100 (scripts/bench/kernels.ts, 4096 x 4096 weights, every format): M = 32,
 * S = 16: 0.09 ms against 0.19-0.22 ms unsplit; M = 512, S = 2: 0.65-0.67 ms against 0.66-0.68.
 * The 0.7B forward over 32 tokens: 10.9 ms; over 16 x 32 tokens: 32.6 ms against 34.5.
 */
export function splitKFor(m: number, n: number, k: number, target = SPLIT_TARGET_WORKGROUPS): KSplit {
  const steps = k / K_STEP;
  const tiles = Math.ceil(m / TILE) * Math.ceil(n / TILE);
  const wanted = Math.min(MAX_SPLIT, Math.floor(steps / MIN_SLICE_STEPS), Math.floor(target / tiles));
  if (wanted < 2) return { splits: 1, sliceSteps: steps };
  const sliceSteps = Math.ceil(steps / wanted);
  return { splits: Math.ceil(steps / sliceSteps), sliceSteps };
}

const splitScratch = new WeakMap<WebGpu, DeviceBuffer>();

/**
 * The partial products of every splitting matmul of `ctx`, made on first need. One buffer
 * serves them all: a split matmul's two dispatches run in order within a pass, and the
 * reduction has read the scratch before the next matmul's dispatch writes it.
 */
function splitScratchFor(ctx: WebGpu): DeviceBuffer {
  let scratch = splitScratch.get(ctx);
  if (!scratch) {
    scratch = ctx.createStorage('matmul-splitk-partials', SPLIT_SCRATCH_BYTES, 'scratch');
    splitScratch.set(ctx, scratch);
  }
  return scratch;
}

/**
 * The WGSL module for a format: its bindings, decoder and matrix-vector kernel, then the shared
 * parameters and tiled kernel (matmul_common.wgsl); f16 starts with a prelude (native or unpack).
 */
export function matmulShader(format: StorageFormat, nativeF16: boolean): { name: string; code: string } {
  const withCommon = (name: string, code: string) => ({ name, code: `${code}\n${commonCode}` });
  switch (format) {
    case 'f32':
      return withCommon('matmul_f32', f32Code);
    case 'f16':
      return nativeF16
        ? withCommon('matmul_f16_native', `${f16NativePrelude}\n${f16Code}`)
        : withCommon('matmul_f16_unpack', `${f16UnpackPrelude}\n${f16Code}`);
    case 'q8':
      return withCommon('matmul_q8', q8Code);
    case 'q4':
      return withCommon('matmul_q4', q4Code);
    default:
      return withCommon(`matmul_${format}`, `${blockDecoderCode(format)}\n${blocksCode}`);
  }
}

export class MatmulKernel implements Dispatchable {
  readonly label: string;
  readonly maxRows: number;
  private readonly n: number;
  private readonly k: number;
  private readonly shape: MatvecShape;
  private readonly params: ParamBlock<'m' | 'n' | 'k' | 'slice_steps' | 'splits'>;
  private readonly matvec: BoundKernel;
  private readonly tiled: BoundKernel | null;
  /** The tiled kernel writing per-slice partials into the shared scratch, and their sum into y; null when this weight can never split. */
  private readonly slices: { partials: BoundKernel; sum: BoundKernel } | null;
  private readonly splitTarget: number;
  readonly variant: BatchedVariant;
  private active: readonly BoundKernel[];
  private split: KSplit;
  private rows = 0;

  constructor(ctx: WebGpu, opts: MatmulOptions) {
    const { x, w, y, maxRows } = opts;
    this.label = opts.label ?? `matmul ${w.name}`;
    if (!(Number.isInteger(maxRows) && maxRows >= 1)) throw new Error(`${this.label}: maxRows ${maxRows} must be a positive integer`);
    if (w.cols % 32 !== 0) throw new Error(`${this.label}: ${w.cols} columns is not a multiple of 32`);
    if (x.size < maxRows * w.cols * 4) throw new Error(`${this.label}: x holds ${x.size} bytes, needs ${maxRows}x${w.cols} f32`);
    if (y.size < maxRows * w.rows * 4) throw new Error(`${this.label}: y holds ${y.size} bytes, needs ${maxRows}x${w.rows} f32`);
    if ((w.format === 'q8' || w.format === 'q4') && !w.scales) throw new Error(`${this.label}: ${w.format} weight ${w.name} has no scales`);
    const blockProblem = isBlockFormat(w.format) ? blockMatrixProblem(w.format, w.cols) : null;
    if (blockProblem) throw new Error(`${this.label}: ${blockProblem}`);
    if (Math.ceil(maxRows / TILE) > ctx.limits.maxComputeWorkgroupsPerDimension || Math.ceil(w.rows / TILE) > ctx.limits.maxComputeWorkgroupsPerDimension) {
      throw new Error(`${this.label}: ${maxRows}x${w.rows} output needs more tiles than the adapter's grid allows`);
    }
    this.maxRows = maxRows;
    this.n = w.rows;
    this.k = w.cols;
    this.split = { splits: 1, sliceSteps: w.cols / K_STEP };
    this.splitTarget = Math.min(opts.splitTarget ?? SPLIT_TARGET_WORKGROUPS, SPLIT_TARGET_WORKGROUPS);
    this.shape = opts.matvecShape ?? matvecShapeFor(ctx);
    this.variant = opts.variant ?? batchedVariantFor(ctx);
    const { workgroup, team } = this.shape;
    if (!(workgroup % team === 0 && workgroup <= 256 && workgroup * MATVEC_MAX_ROWS * 4 <= ctx.limits.maxComputeWorkgroupStorageSize)) {
      throw new Error(`${this.label}: matvec shape ${workgroup}/${team} does not fit this adapter`);
    }
    this.params = new ParamBlock(ctx, `${this.label}-params`, [
      { name: 'm', type: 'u32' },
      { name: 'n', type: 'u32' },
      { name: 'k', type: 'u32' },
      { name: 'slice_steps', type: 'u32' },
      { name: 'splits', type: 'u32' },
    ]);
    // Binding order of every matmul shader: x, w, [scales,] y, params.
    const bindingsWritingTo = (out: DeviceBuffer) => (w.scales ? [x, w.data, w.scales, out, this.params.buffer] : [x, w.data, out, this.params.buffer]);
    const bindings = bindingsWritingTo(y);
    const { name, code } = matmulShader(w.format, ctx.features.f16);
    const accumulate = opts.accumulate ? 1 : 0;
    this.matvec = new BoundKernel(ctx, {
      name,
      code,
      entryPoint: 'matvec',
      constants: { ACCUMULATE: accumulate, WG: workgroup, TEAM: team },
      bindings,
      grid: this.matvecGrid(),
      label: `${this.label} (matvec)`,
    });
    const software = this.variant === 'software';
    // Block formats' long decoders take the lean row-block loop (matmul_rowblock_lean.wgsl).
    const lean = software && isBlockFormat(w.format);
    this.tiled =
      maxRows > MATVEC_MAX_ROWS
        ? new BoundKernel(ctx, {
            name: software ? `${name}+rowblock${lean ? '_lean' : ''}` : name,
            code: software ? `${code}\n${rowblockCode}${lean ? `\n${rowblockLeanCode}` : ''}` : code,
            entryPoint: software ? (lean ? 'rowblock_lean' : 'rowblock') : 'tiled',
            constants: software ? { ACCUMULATE: accumulate, RB_WG: ROWBLOCK_WG } : { ACCUMULATE: accumulate },
            bindings,
            grid: this.tiledGrid(maxRows),
            label: `${this.label} (${software ? 'rowblock' : 'tiled'})`,
          })
        : null;
    // A split needs the fewest tiles, which M = MATVEC_MAX_ROWS + 1 gives: if that shape does not
    // split, no M this kernel takes does, and it needs neither the scratch nor the reduction.
    const canSplit = this.tiled !== null && !software && splitKFor(MATVEC_MAX_ROWS + 1, w.rows, w.cols, this.splitTarget).splits > 1;
    if (canSplit) {
      const scratch = splitScratchFor(ctx);
      this.slices = {
        partials: new BoundKernel(ctx, {
          name,
          code,
          entryPoint: 'tiled',
          constants: { ACCUMULATE: 0 },
          bindings: bindingsWritingTo(scratch),
          grid: this.tiledGrid(maxRows),
          label: `${this.label} (tiled, K split)`,
        }),
        sum: new BoundKernel(ctx, {
          name: 'matmul_splitk',
          code: splitkCode,
          entryPoint: 'sum_slices',
          constants: { ACCUMULATE: accumulate, WG: SUM_SLICES_WG },
          bindings: [scratch, y, this.params.buffer],
          grid: linearGrid(maxRows * w.rows, SUM_SLICES_WG),
          label: `${this.label} (sum of K slices)`,
        }),
      };
    } else {
      this.slices = null;
    }
    this.active = [this.matvec];
    this.params.set({ n: w.rows, k: w.cols });
    this.setRows(maxRows);
  }

  /** Rows M of x and y for the next dispatch (1..maxRows); picks matvec or tiled, and the K split. */
  setRows(m: number): void {
    if (!(Number.isInteger(m) && m >= 1 && m <= this.maxRows)) throw new Error(`${this.label}: rows ${m} outside 1..${this.maxRows}`);
    this.rows = m;
    const batched = m > MATVEC_MAX_ROWS;
    this.split = batched && this.slices ? splitKFor(m, this.n, this.k, this.splitTarget) : { splits: 1, sliceSteps: this.k / K_STEP };
    if (!batched || !this.tiled) {
      this.active = [this.matvec];
    } else if (this.slices && this.split.splits > 1) {
      this.slices.partials.grid = this.tiledGrid(m, this.split.splits);
      this.slices.sum.grid = linearGrid(m * this.n, SUM_SLICES_WG);
      this.active = [this.slices.partials, this.slices.sum];
    } else {
      this.tiled.grid = this.tiledGrid(m);
      this.active = [this.tiled];
    }
    this.params.set({ m, slice_steps: this.split.sliceSteps, splits: this.split.splits });
  }

  /** Which kernel the next encode() records (for benchmarks and tests). */
  get strategy(): 'matvec' | 'tiled' {
    return this.active[0] === this.matvec ? 'matvec' : 'tiled';
  }

  /** K slices of the next encode(): 1 unless the tiled kernel splits K (splitKFor). */
  get splitK(): number {
    return this.split.splits;
  }

  get currentRows(): number {
    return this.rows;
  }

  encode(pass: ComputePass): void {
    for (const kernel of this.active) kernel.encode(pass);
  }

  private matvecGrid(): Grid {
    return linearGrid(this.n, this.shape.workgroup / this.shape.team);
  }

  private tiledGrid(m: number, splits = 1): Grid {
    if (this.variant === 'software') return linearGrid(Math.ceil(m / BLOCK) * Math.ceil(this.n / BLOCK), ROWBLOCK_WG);
    return [Math.ceil(this.n / TILE), Math.ceil(m / TILE), splits];
  }


  /** Frees what the constructor allocated (its uniform). */
  destroy(): void {
    this.params.destroy();
  }
}
