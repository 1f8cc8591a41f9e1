// Medians and ranges of repeated timings. The bench machine's cores are shared, so every figure
// is a median over repeats, with its range, and every ratio a median of PAIRED ratios (each pair
// measured back to back, so a load that comes and goes hits both sides alike).

export function median(xs: readonly number[]): number {
  if (!xs.length) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** "1.23 (range 1.10-1.40)" with `digits` decimals. */
export function formatSpread(s: Spread, digits = 2): string {
  return `${s.median.toFixed(digits)} (range ${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

/** The 1-minute load average over the cores, or null where the OS does not report it. */
export async function loadNote(): Promise<string> {
  const os = await import('node:os');
  const [one] = os.loadavg();
  return `load average ${one.toFixed(2)} on ${os.cpus().length} cores`;
}
