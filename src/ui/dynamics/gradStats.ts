// The projected-gradient histogram's bins and its caption, both computed from the values: bins
// whose edges fall on round numbers (so the axis ticks read 0.5, 1, 1.5 rather than 0.37, 1.12),
// and a sentence that says what this run's spread actually looks like.
import { num } from '../format';
import { axisScale } from '../charts/ticks';

export interface HistogramBin {
  /** Bin centre. */
  x: number;
  count: number;
}

export interface GradHistogramData {
  bins: HistogramBin[];
  /** Width of every bin. */
  width: number;
  /** Round tick values on the bin edges' axis, and their labels. */
  ticks: number[];
  domain: [number, number];
  format: (v: number) => string;
}

/** Bins of equal width on a round range around the values; about `target` of them. */
export function gradHistogram(values: readonly number[], target = 24): GradHistogramData | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  // Symmetric around zero: the sign of g is the direction of the step, zero the natural centre.
  let bound = 0;
  for (const v of finite) bound = Math.max(bound, Math.abs(v));
  const scale = axisScale([-bound, bound], { count: 5 });
  const [lo, hi] = scale.domain;
  const tickStep = scale.ticks.length > 1 ? scale.ticks[1] - scale.ticks[0] : hi - lo;
  // A whole number of bins per tick interval, so tick values fall on bin edges.
  const perTick = Math.max(1, Math.round(target / Math.max(1, (hi - lo) / tickStep)));
  const width = tickStep / perTick;
  const n = Math.max(1, Math.round((hi - lo) / width));
  const counts = new Array<number>(n).fill(0);
  for (const v of finite) counts[Math.min(n - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
  return { bins: counts.map((count, i) => ({ x: lo + (i + 0.5) * width, count })), width, ticks: scale.ticks, domain: [lo, hi], format: scale.format };
}

/** Fewer steps than this: no claim about the shape. */
const MIN_STEPS = 20;

/** One or two sentences on these projected gradients: where they centre, how they spread, whether a few are far out. */
export function describeGrads(values: readonly number[]): string {
  const g = values.filter(Number.isFinite);
  if (g.length === 0) return 'No steps yet: each step adds its projected gradient g = (L₊ − L₋) / 2ε here.';
  const n = g.length;
  const mean = g.reduce((a, b) => a + b, 0) / n;
  const variance = g.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
  const std = Math.sqrt(variance);
  const facts = `${n.toLocaleString('en-US')} step${n === 1 ? '' : 's'}, mean ${num(mean, 3)}, standard deviation ${num(std, 3)}`;
  if (n < MIN_STEPS) return `${facts}: too few steps to say much about the shape yet.`;
  const positive = g.filter((v) => v > 0).length / n;
  const centre =
    std === 0
      ? 'every step measured the same g'
      : Math.abs(mean) <= 0.25 * std
        ? `centred near zero (${Math.round(100 * positive)}% of steps positive): the random directions go uphill and downhill about equally often`
        : `shifted to the ${mean > 0 ? 'positive' : 'negative'} side (${Math.round(100 * positive)}% of steps positive, mean ${num(mean / std, 2)} standard deviations from zero): along most directions drawn the loss ${mean > 0 ? 'rises' : 'falls'} in +z`;
  if (std === 0) return `${facts}: ${centre}.`;
  // Excess kurtosis: how much of the spread comes from a few large values.
  const kurtosis = g.reduce((a, v) => a + ((v - mean) / std) ** 4, 0) / n - 3;
  const tails =
    kurtosis > 1
      ? 'Heavy tails: most directions are nearly flat and a few are much steeper, which is what moves the weights most.'
      : kurtosis < -1
        ? 'No tails to speak of: the sizes are spread evenly rather than bunched near the centre.'
        : 'The spread is close to a bell curve.';
  return `${facts}; ${centre}. ${tails}`;
}
