// A ZOPrO direction as data: z = sum_m coef_m n(step_m), a combination of the seed-regenerated
// Gaussian streams of earlier steps (zo/mixedDirection.ts keeps the terms; the GPU kernel
// gpu/kernels/zoMixed.ts and its CPU twin cpu/zoMixed.ts apply them).

/** Most terms a direction keeps (zo/mixedDirection.ts truncates to this; the kernel's term table holds this many). */
export const MAX_MIX_TERMS = 16;

export interface MixTerm {
  /** Which step's Gaussian stream. */
  step: number;
  coef: number;
}
