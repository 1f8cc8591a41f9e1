// Chart downsampling: Largest-Triangle-Three-Buckets (Steinarsson 2013) keeps the visual shape of a
// series in at most `threshold` points, so a 100,000-step run draws like a 2,000-step one.
// O(n) per call; the charts call it once per animation-frame flush, not per event.

export interface Point {
  x: number;
  y: number;
}

/** Indices into (xs, ys) of the points LTTB keeps (first and last always kept). */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number, start = 0): number[] {
  const n = xs.length - start;
  if (threshold >= n || threshold < 3) return Array.from({ length: Math.max(0, n) }, (_, i) => start + i);
  const out: number[] = [start];
  const every = (n - 2) / (threshold - 2);
  let a = start;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = start + Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(start + Math.floor((i + 2) * every) + 1, start + n);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      if (!Number.isFinite(ys[j])) continue;
      avgX += xs[j];
      avgY += ys[j];
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = xs[Math.min(nextStart, start + n - 1)];
      avgY = ys[a];
    }
    // In this bucket, keep the point making the largest triangle with the last kept point.
    const bucketStart = start + Math.floor(i * every) + 1;
    const bucketEnd = start + Math.floor((i + 1) * every) + 1;
    let best = bucketStart;
    let bestArea = -1;
    for (let j = bucketStart; j < bucketEnd; j++) {
      const y = ys[j];
      if (!Number.isFinite(y)) continue;
      const area = Math.abs((xs[a] - avgX) * (y - ys[a]) - (xs[a] - xs[j]) * (avgY - ys[a]));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(start + n - 1);
  return out;
}

export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): Point[] {
  return lttbIndices(xs, ys, threshold).map((i) => ({ x: xs[i], y: ys[i] }));
}
