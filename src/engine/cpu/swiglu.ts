// CPU reference for shaders/swiglu.wgsl: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)).

export function swigluRef(gate: Float32Array, up: Float32Array, count = gate.length): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const g = gate[i];
    const silu = Math.fround(g / Math.fround(1 + Math.fround(Math.exp(-g))));
    out[i] = Math.fround(silu * up[i]);
  }
  return out;
}
