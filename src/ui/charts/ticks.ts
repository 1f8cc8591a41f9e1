// Axis ranges and tick values computed from the data, never left to the chart library: on a
// single point (a run's first step) its automatic range collapses to one value and it emits the
// same tick several times, which React then cannot tell apart (duplicate keys, stale labels).
// Here the range always has a width, the ticks are distinct round numbers, and the label format
// has just enough digits to tell neighbouring ticks apart.

export interface AxisScale {
  domain: [number, number];
  ticks: number[];
  /** Formats a tick with the digits its spacing needs. */
  format: (v: number) => string;
}

/** 1, 2, 2.5 or 5 times a power of ten, the smallest at least `raw`. */
function niceStep(raw: number, integer: boolean): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  const step = nice * power;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

/** Decimal places that show every multiple of `step` exactly (2.5e-3 -> 4). */
function decimalsOf(step: number): number {
  let d = Math.max(0, -Math.floor(Math.log10(step)));
  while (d < 12 && Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) > 1e-6) d++;
  return d;
}

/** Labels for ticks `step` apart: fixed decimals for ordinary sizes, 1.25e-5 style for tiny or huge ones. */
export function tickFormat(step: number, magnitude: number): (v: number) => string {
  const d = decimalsOf(step);
  if (magnitude >= 1e5 || d > 4) {
    // Mantissa decimals that show every multiple of the step exactly at this magnitude
    // (step 2.5e-6 near 1e-4: 1.025e-4, never a rounded 1.02e-4).
    const power = 10 ** Math.floor(Math.log10(Math.max(magnitude, step)));
    const decimals = Math.min(7, decimalsOf(step / power));
    return (v) => (v === 0 ? '0' : v.toExponential(decimals));
  }
  return (v) => {
    const s = v.toFixed(d);
    return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  };
}

/**
 * A range covering `values` (non-finite ones ignored) with about `count` ticks. `fixed` pins
 * either end (e.g. [0, 1] for an accuracy); `integer` keeps the tick spacing whole (steps).
 * With no data the range is the fixed one or [0, 1].
 */
export function axisScale(values: Iterable<number>, options: { count?: number; fixed?: [number | 'auto', number | 'auto']; integer?: boolean } = {}): AxisScale {
  const count = Math.max(2, options.count ?? 5);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const [fixLo, fixHi] = options.fixed ?? ['auto', 'auto'];
  if (typeof fixLo === 'number') lo = Math.min(fixLo, Number.isFinite(lo) ? lo : fixLo);
  if (typeof fixHi === 'number') hi = Math.max(fixHi, Number.isFinite(hi) ? hi : fixHi);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [Number.isFinite(lo) ? lo : 0, Number.isFinite(hi) ? hi : Number.isFinite(lo) ? lo + 1 : 1];
  // Values a few ulps apart (a learning rate recomputed per step, two equal losses) are one value:
  // a step that small would put the ticks past 2^53 multiples of it, where i++ stops counting.
  if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi)) * 1e-9) hi = lo;
  if (hi <= lo) {
    // One value: open a range around it, a few percent of its size (or 1 around zero).
    const pad = options.integer ? 1 : Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / (count - 1), options.integer ?? false);
  const d = decimalsOf(step);
  const round = (v: number) => Number(v.toFixed(Math.min(d + 2, 20)));
  // Rounded out to whole steps, never cutting off the data by a rounding error.
  const start = typeof fixLo === 'number' ? lo : Math.min(lo, round(Math.floor(lo / step + 1e-9) * step));
  const end = typeof fixHi === 'number' ? hi : Math.max(hi, round(Math.ceil(hi / step - 1e-9) * step));
  const ticks: number[] = [];
  const first = Math.ceil(start / step - 1e-9);
  // At most a few hundred ticks whatever the floats do: a chart must never freeze the page.
  for (let i = first, n = 0; i * step <= end + step * 1e-9 && n < 500; i++, n++) {
    const rounded = round(i * step);
    if (ticks[ticks.length - 1] !== rounded) ticks.push(rounded);
  }
  return { domain: [start, end], ticks, format: tickFormat(step, Math.max(Math.abs(start), Math.abs(end))) };
}
