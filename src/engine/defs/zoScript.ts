// The ordered operations of one ZO step (MeZO, Malladi et al. 2023, Alg. 1; ZO-SGD-Cons from
// ZO-Bench, Zhang et al. 2024), shared by the GPU plan, the CPU reference and replay, so all three
// perform the same float operations in the same order. Also the layouts of the losses buffer
// (where the caller's loss kernel writes) and of the step summary (projected gradients etc.).
import type { ZoHyper } from './zoConfig';

export type ZoOp =
  /** The caller encodes forward + batch-mean loss into loss slot `slot`. */
  | { kind: 'loss'; slot: number }
  /** theta += coef * eps * z_j over every range (+1: plus, -2: plus -> minus, +1/-1: restore). */
  | { kind: 'perturb'; j: number; coef: 1 | -1 | -2 }
  /** Projected gradients g_j from the loss slots into the summary (one thread). */
  | { kind: 'grad' }
  /** The optimizer update along d = mean_j g_j z_j, scaled by coef (ZO-SGD-Cons moves) or by the
   *  recorded choice. `restore`: first theta += restore.coef * eps * z_j, the last perturbation's
   *  restore folded into the same pass (it regenerates z_j for d anyway), so a step reads and
   *  writes the weights three times instead of four. */
  | { kind: 'move'; coef: 1 | -2 | 'choice'; restore?: Restore }
  /** ZO-SGD-Cons: pick the lowest of L(theta), L(theta - lr d), L(theta + lr d). */
  | { kind: 'select' };

/** The restore of perturbation j (+1 after the minus phase, -1 after a one-sided plus phase). */
export interface Restore {
  j: number;
  coef: 1 | -1;
}

/** Loss slots are 256 bytes apart, so a caller may bind each slot at an aligned offset. */
export const LOSS_SLOT_BYTES = 256;
export const LOSS_SLOT_F32 = LOSS_SLOT_BYTES / 4;

/** Slot of L(theta + eps z_j) (sign 1), L(theta - eps z_j) (sign -1) or L(theta) (sign 0). */
export function lossSlot(q: number, j: number, sign: 1 | -1 | 0): number {
  if (sign === 0) return 2 * q;
  if (j < 0 || j >= q) throw new Error(`perturbation ${j} out of 0..${q - 1}`);
  return sign === 1 ? 2 * j : 2 * j + 1;
}

/** ZO-SGD-Cons candidates: theta - lr d ('minus') and theta + lr d ('plus'). */
export function consSlot(q: number, which: 'minus' | 'plus'): number {
  return which === 'minus' ? 2 * q + 1 : 2 * q + 2;
}

export function lossSlotCount(q: number): number {
  return 2 * q + 3;
}

/**
 * Summary (f32): [0, q) projected gradients g_j as applied (clipped, f16-rounded when the record
 * stores f16); [q] ZO-SGD-Cons choice c (the final move is theta -= c lr (d + wd theta); 0 for
 * other optimizers); [q+1] the step's loss (mean (L+ + L-)/2, or L(theta) when one-sided);
 * [q+2, q+2+slots) a copy of every loss slot.
 */
export function summaryLength(q: number): number {
  return q + 2 + lossSlotCount(q);
}

export interface ZoStepSummary {
  grads: Float32Array;
  choice: number;
  loss: number;
  /** Every loss slot, index by lossSlot() / consSlot(). */
  losses: Float32Array;
}

export function parseSummary(q: number, s: Float32Array): ZoStepSummary {
  return { grads: s.slice(0, q), choice: s[q], loss: s[q + 1], losses: s.slice(q + 2, q + 2 + lossSlotCount(q)) };
}

/** Values the record keeps per step: the q gradients, plus the choice for ZO-SGD-Cons. */
export function recordValueCount(h: Pick<ZoHyper, 'q' | 'optimizer'>): number {
  return h.q + (h.optimizer === 'zo-sgd-cons' ? 1 : 0);
}

/** f32 when the values fit in 8 bytes, else f16 (and training then uses the f16-rounded g). */
export function recordDtype(h: Pick<ZoHyper, 'q' | 'optimizer'>): 'f32' | 'f16' {
  return recordValueCount(h) <= 2 ? 'f32' : 'f16';
}

export function zoScript(h: Pick<ZoHyper, 'q' | 'oneSided' | 'optimizer'>): ZoOp[] {
  const ops: ZoOp[] = [];
  const cons = h.optimizer === 'zo-sgd-cons';
  if (h.oneSided || cons) ops.push({ kind: 'loss', slot: lossSlot(h.q, 0, 0) });
  for (let j = 0; j < h.q; j++) {
    ops.push({ kind: 'perturb', j, coef: 1 }, { kind: 'loss', slot: lossSlot(h.q, j, 1) });
    if (!h.oneSided) ops.push({ kind: 'perturb', j, coef: -2 }, { kind: 'loss', slot: lossSlot(h.q, j, -1) });
    // The last restore waits for the first move (grad only reads losses), which applies it.
    if (j < h.q - 1) ops.push({ kind: 'perturb', j, coef: h.oneSided ? -1 : 1 });
  }
  const restore: Restore = { j: h.q - 1, coef: h.oneSided ? -1 : 1 };
  ops.push({ kind: 'grad' }, { kind: 'move', coef: 1, restore });
  if (!cons) return ops;
  ops.push({ kind: 'loss', slot: consSlot(h.q, 'minus') });
  ops.push({ kind: 'move', coef: -2 }, { kind: 'loss', slot: consSlot(h.q, 'plus') });
  ops.push({ kind: 'select' }, { kind: 'move', coef: 'choice' });
  return ops;
}

/** Replay drops the forwards and the decisions: the record supplies g and the choice. */
export function replayScript(h: Pick<ZoHyper, 'q' | 'oneSided' | 'optimizer'>): ZoOp[] {
  return zoScript(h).filter((op) => op.kind === 'perturb' || op.kind === 'move');
}
