// Seeded batch sampling: each epoch is a permutation of the rows drawn from (seed, epoch) alone
// with xoshiro128** (seeded through splitmix32), so the state {seed, epoch, cursor} is enough
// to resume a run on the same stream of batches. Also right-padding of token sequences.

/** splitmix32 (Steele et al.'s SplitMix, 32-bit finalizer of MurmurHash3 style). */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** xoshiro128** 1.1 (Blackman and Vigna): a fast 32-bit generator with a 2^128 - 1 period. */
export class Xoshiro128 {
  private readonly s = new Uint32Array(4);

  constructor(seed: number, stream = 0) {
    const mix = { s: (seed >>> 0) ^ Math.imul(stream >>> 0, 0x632be5ab) };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(mix);
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  /** The next uniform u32. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform integer in [0, n), unbiased (rejects the top partial range). */
  below(n: number): number {
    if (!(n > 0 && n <= 2 ** 32)) throw new RangeError(`below(${n}): n must be in 1..2^32`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }
}

/** The order of the rows in one epoch: a Fisher-Yates shuffle seeded by (seed, epoch). */
export function epochPermutation(seed: number, epoch: number, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Xoshiro128(seed, epoch + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export interface SamplerState {
  seed: number;
  epoch: number;
  /** Position in the current epoch's permutation of the next row to hand out. */
  cursor: number;
}

export interface SamplerOptions {
  /** What the last batch of an epoch does when the rows do not divide evenly:
   *  'short' hands out the remainder as a smaller batch (PyTorch's drop_last=False, as in
   *  MeZO's trainer); 'drop' skips it (each epoch reshuffles, so no row is lost for good). */
  lastBatch?: 'short' | 'drop';
}

/** Batches of row indices, epochs without replacement, deterministic in the seed. */
export class BatchSampler {
  private state: SamplerState;
  private order: Uint32Array;
  private readonly lastBatch: 'short' | 'drop';

  constructor(
    readonly numRows: number,
    readonly batchSize: number,
    seed: number,
    options: SamplerOptions = {},
    resume?: SamplerState,
  ) {
    if (!Number.isInteger(numRows) || numRows < 1) throw new RangeError(`BatchSampler needs at least one row (got ${numRows})`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer (got ${batchSize})`);
    this.lastBatch = options.lastBatch ?? 'short';
    if (this.lastBatch === 'drop' && batchSize > numRows) {
      throw new RangeError(`batch size ${batchSize} is larger than the ${numRows} rows, so every batch would be dropped`);
    }
    if (resume && resume.seed >>> 0 !== seed >>> 0) throw new Error(`resume state has seed ${resume.seed}, not ${seed}`);
    this.state = { seed: seed >>> 0, epoch: resume?.epoch ?? 0, cursor: resume?.cursor ?? 0 };
    this.order = epochPermutation(this.state.seed, this.state.epoch, numRows);
  }

  /** The state to store with a run; `new BatchSampler(n, b, seed, opts, state)` continues it. */
  getState(): SamplerState {
    return { ...this.state };
  }

  get epoch(): number {
    return this.state.epoch;
  }

  /** The next batch of row indices. */
  next(): number[] {
    let remaining = this.numRows - this.state.cursor;
    if (remaining <= 0 || (this.lastBatch === 'drop' && remaining < this.batchSize)) {
      this.state.epoch += 1;
      this.state.cursor = 0;
      this.order = epochPermutation(this.state.seed, this.state.epoch, this.numRows);
      remaining = this.numRows;
    }
    const take = Math.min(this.batchSize, remaining);
    const batch = Array.from(this.order.subarray(this.state.cursor, this.state.cursor + take));
    this.state.cursor += take;
    return batch;
  }
}

export interface PaddedBatch {
  /** [batch, seqLen] row-major token ids, right-padded with padId. */
  ids: Uint32Array;
  batch: number;
  seqLen: number;
  /** Real (unpadded) length of each sequence. */
  lengths: number[];
}

/** Right-pads sequences to the longest one (or to `seqLen` when given). */
export function padBatch(sequences: readonly (readonly number[])[], padId: number, seqLen?: number): PaddedBatch {
  const lengths = sequences.map((s) => s.length);
  const longest = Math.max(0, ...lengths);
  const width = seqLen ?? longest;
  if (longest > width) throw new RangeError(`a sequence has ${longest} tokens, more than the padded length ${width}`);
  const ids = new Uint32Array(sequences.length * width).fill(padId);
  sequences.forEach((s, b) => ids.set(s, b * width));
  return { ids, batch: sequences.length, seqLen: width, lengths };
}
