// CPU reference for shaders/embedding.wgsl: out[r, :] = table[ids[r], :] over an f32
// (already dequantized) table [vocab, hidden]. Ids >= vocab give a row of zeros, as on the GPU.

export function embeddingRef(table: Float32Array, vocab: number, hidden: number, ids: Uint32Array | number[], rows = ids.length): Float32Array {
  const out = new Float32Array(rows * hidden); // [rows, hidden]
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (id >= vocab) continue;
    for (let c = 0; c < hidden; c++) out[r * hidden + c] = table[id * hidden + c];
  }
  return out;
}
