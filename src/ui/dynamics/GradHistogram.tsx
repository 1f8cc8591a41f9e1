// Histogram of the projected gradients of a run (the last 5,000 steps at most), on round bin
// edges, with a caption computed from the same values (gradStats.ts).
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunView } from '../../store/runs/slice';
import { num } from '../format';
import { TICK } from '../charts/SeriesChart';
import { describeGrads, gradHistogram } from './gradStats';

const LAST = 5000;

export function GradHistogram({ run }: { run: RunView | undefined }) {
  const version = run?.version ?? -1;
  const grads = run?.steps.projectedGrad;
  const { data, caption } = useMemo(() => {
    const values = grads ? grads.slice(-LAST) : [];
    return { data: gradHistogram(values), caption: describeGrads(values) };
  }, [grads, version]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <figure className="chart" aria-label="Histogram of projected gradients" data-testid="grad-histogram">
      <figcaption>Projected gradients g: how often each size occurs</figcaption>
      <div className="chart-body">
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data?.bins ?? []} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} barCategoryGap={1}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="x" type="number" domain={data?.domain ?? [-1, 1]} ticks={data?.ticks} interval={0} tickFormatter={data?.format} tick={TICK} stroke="var(--muted)" />
            <YAxis allowDecimals={false} width={48} tick={TICK} stroke="var(--muted)" />
            <Tooltip
              contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }}
              labelFormatter={(l) => (data ? `g from ${num(Number(l) - data.width / 2)} to ${num(Number(l) + data.width / 2)}` : '')}
            />
            <Bar dataKey="count" fill="#7c3aed" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        {!data && <p className="chart-empty">No steps yet.</p>}
      </div>
      <p className="explain" data-testid="grad-histogram-caption">
        {caption}
      </p>
    </figure>
  );
}
