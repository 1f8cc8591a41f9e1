// Rotary position embedding in the HF rotate_half layout, in place on q or k [rows, heads,
// headDim] (shaders/rope.wgsl; CPU reference src/engine/cpu/rope.ts ropeRef). invFreq comes from
// ropeInvFreq (default, linear and Llama 3 scaling are all in the frequencies), so one kernel
// serves every rope type. Row r is position posOffset + r % seqLen. cos and sin are computed in
// f64 and rounded, as the reference does, once per (position, frequency) and shared by the heads and the batch.

/**
 * Rotate the rows at sequence offsets t in [t0, t1) (rows t, t + seqLen, ... < rows: every
 * sequence of the batch shares one cos/sin per position); cs: headDim f32 of scratch.
 */
export function rope(qk: usize, rows: i32, seqLen: i32, heads: i32, headDim: i32, invFreq: usize, posOffset: i32, t0: i32, t1: i32, cs: usize): void {
  const half = headDim >> 1;
  const cosAt = cs, sinAt = cs + (<usize>half << 2);
  for (let t = t0; t < t1; t++) {
    const pos = <f32>(posOffset + t);
    for (let i = 0; i < half; i++) {
      const angle = pos * load<f32>(invFreq + (<usize>i << 2));
      store<f32>(cosAt + (<usize>i << 2), <f32>Math.cos(<f64>angle));
      store<f32>(sinAt + (<usize>i << 2), <f32>Math.sin(<f64>angle));
    }
    for (let r = t; r < rows; r += seqLen) rotateRow(qk + ((<usize>r * <usize>heads * <usize>headDim) << 2), heads, headDim, cosAt, sinAt);
  }
}

function rotateRow(row: usize, heads: i32, headDim: i32, cosAt: usize, sinAt: usize): void {
  const half = headDim >> 1;
  for (let h = 0; h < heads; h++) {
    const base = row + ((<usize>h * <usize>headDim) << 2);
    const second = base + (<usize>half << 2);
    let i = 0;
    for (; i + 4 <= half; i += 4) {
      const o = <usize>i << 2;
      const c = v128.load(cosAt + o), s = v128.load(sinAt + o);
      const x1 = v128.load(base + o), x2 = v128.load(second + o);
      v128.store(base + o, f32x4.sub(f32x4.mul(x1, c), f32x4.mul(x2, s)));
      v128.store(second + o, f32x4.add(f32x4.mul(x2, c), f32x4.mul(x1, s)));
    }
    for (; i < half; i++) {
      const o = <usize>i << 2;
      const c = load<f32>(cosAt + o), s = load<f32>(sinAt + o);
      const x1 = load<f32>(base + o), x2 = load<f32>(second + o);
      store<f32>(base + o, x1 * c - x2 * s);
      store<f32>(second + o, x2 * c + x1 * s);
    }
  }
}
