// llama.cpp's q/k row permutation (convert_hf_to_gguf.py LlamaModel.permute):
//   w.reshape(n_head, 2, rows / n_head / 2, cols).swapaxes(1, 2).reshape(rows, cols)
// turns HF's rotate_half layout (pairs (i, i + d/2)) into interleaved pairs (2i, 2i + 1).
// Within head h of size d: GGUF row h*d + 2j + i holds HF row h*d + i*d/2 + j, i in {0, 1}.
// Rows move whole, so the same maps apply to f32 rows, packed q8/q4 code rows, scale rows and
// rows of a block format's bytes.

type Rows = Float32Array | Uint32Array | Uint8Array;

function move<T extends Rows>(src: T, rows: number, width: number, heads: number, toHf: boolean): T {
  if (rows % heads !== 0 || (rows / heads) % 2 !== 0) throw new Error(`cannot un-permute ${rows} rows over ${heads} heads: head size must be even`);
  const d = rows / heads;
  const halfD = d / 2;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < halfD; j++) {
        const hf = h * d + i * halfD + j;
        const gg = h * d + 2 * j + i;
        const [from, to] = toHf ? [gg, hf] : [hf, gg];
        out.set(src.subarray(from * width, (from + 1) * width), to * width);
      }
    }
  }
  return out;
}

/** GGUF (interleaved) rows -> HF rows. */
export function unpermuteRows<T extends Rows>(src: T, rows: number, width: number, heads: number): T {
  return move(src, rows, width, heads, true);
}

/** HF rows -> GGUF (interleaved) rows, what convert_hf_to_gguf.py writes. */
export function permuteRows<T extends Rows>(src: T, rows: number, width: number, heads: number): T {
  return move(src, rows, width, heads, false);
}
