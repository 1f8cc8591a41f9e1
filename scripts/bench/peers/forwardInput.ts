// The forward benchmark's input, the same for ZO Studio and onnxruntime-web, in Node and in the
// page: `batch` rows of `seqLen` deterministic token ids, scored at each row's last position (the
// ONNX twin returns the logits there, so both sides do the same work).
import type { ForwardInput } from '../../../src/engine/model/llama';

/** Deterministic token ids in [3, vocab) (an LCG: no special tokens, the same on every run). */
export function benchIds(count: number, vocab: number): Uint32Array {
  let s = 12345;
  return Uint32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 3 + (s % (vocab - 3));
  });
}

/** ZO Studio's forward input for those rows: last position of each row scored, 2 candidates. */
export function lastPositionInput(ids: Uint32Array, batch: number, seqLen: number): ForwardInput {
  return { ids, batch, seqLen, positions: Uint32Array.from({ length: batch }, (_, b) => b * seqLen + seqLen - 1), targets: new Uint32Array(batch * 2), candidates: 2 };
}
