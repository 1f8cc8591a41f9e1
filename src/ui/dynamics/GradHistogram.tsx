// Histogram of the projected gradients of a run (the last 5,000 steps at most).
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunView } from '../../store/state';
import { num } from '../format';
import { TICK, tickNumber } from '../charts/SeriesChart';

const BINS = 31;

export function histogram(values: number[], bins: number): { x: number; count: number }[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of finite) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const bound = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const width = (2 * bound) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.floor((v + bound) / width))]++;
  return counts.map((count, i) => ({ x: -bound + (i + 0.5) * width, count }));
}

export function GradHistogram({ run }: { run: RunView | undefined }) {
  const version = run?.version ?? -1;
  const grads = run?.steps.projectedGrad;
  const data = useMemo(() => (grads ? histogram(grads.slice(-5000), BINS) : []), [grads, version]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <figure className="chart" aria-label="Histogram of projected gradients" data-testid="grad-histogram">
      <figcaption>Projected gradients: how often each size occurs</figcaption>
      <div className="chart-body">
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="x" tickFormatter={tickNumber} tick={TICK} stroke="var(--muted)" />
            <YAxis allowDecimals={false} width={48} tick={TICK} stroke="var(--muted)" />
            <Tooltip contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }} labelFormatter={(l) => `g ≈ ${num(Number(l))}`} />
            <Bar dataKey="count" fill="#7c3aed" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        {!data.length && <p className="chart-empty">No steps yet.</p>}
      </div>
    </figure>
  );
}
