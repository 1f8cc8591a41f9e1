// One line chart (recharts) of any number of series, each with its own x values, so several
// runs overlay on one step axis. Series arrive already downsampled (<= MAX_CHART_POINTS each);
// animation is off so live appends cost one redraw.
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Point } from '../../store/downsample';
import { num } from '../format';
import { axisScale } from './ticks';

/** Axis labels big enough to read from the back of a room. */
export const TICK = { fill: 'var(--muted)', fontSize: 14 };
/** The presentation layout's: a projector's back row. */
const BIG_TICK = { fill: 'var(--muted)', fontSize: 20 };

/** Short tick labels: 3 significant digits, 1.0e-4 style for tiny or huge values. */
export function tickNumber(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-2 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** A chart's size: the panel's, or the presentation layout's (taller, larger type). */
export interface ChartSize {
  height?: number;
  big?: boolean;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: Point[];
  width?: number;
  opacity?: number;
  dots?: boolean;
  /** SVG stroke-dasharray: tells apart one run's lines when colours tell apart runs. */
  dash?: string;
}

interface Props {
  title: string;
  series: ChartSeries[];
  height?: number;
  testId?: string;
  empty?: string;
  yDomain?: [number | 'auto', number | 'auto'];
  xLabel?: string;
  /** Appended to y values in ticks and the tooltip ('%' for accuracies drawn 0–100). */
  unit?: string;
  /** Presentation layout: larger ticks, title and lines. */
  big?: boolean;
}

/** Redraws only when a series' points (cached per run version) or its look change. */
function sameProps(a: Props, b: Props): boolean {
  if (a.title !== b.title || a.height !== b.height || a.empty !== b.empty || a.xLabel !== b.xLabel || a.unit !== b.unit || a.big !== b.big || a.yDomain !== b.yDomain) return false;
  if (a.series.length !== b.series.length) return false;
  return a.series.every((s, i) => {
    const t = b.series[i];
    return s.name === t.name && s.color === t.color && s.points === t.points && s.width === t.width && s.opacity === t.opacity && s.dots === t.dots && s.dash === t.dash;
  });
}

export const SeriesChart = memo(SeriesChartView, sameProps);

function SeriesChartView({ title, series, height = 220, testId, empty = 'No data yet.', yDomain, xLabel = 'step', unit = '', big = false }: Props) {
  const tick = big ? BIG_TICK : TICK;
  const charWidth = big ? 12 : 9;
  const points = series[0]?.points.length ?? 0;
  const hasData = series.some((s) => s.points.length > 0);
  // Both axes' ranges and ticks from the data (ticks.ts): distinct ticks even on one point.
  const { x, y } = useMemo(() => {
    const all = series.flatMap((s) => s.points);
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of all) {
      if (p.x < lo) lo = p.x;
      if (p.x > hi) hi = p.x;
    }
    const integerX = all.every((p) => Number.isInteger(p.x));
    const xFixed: [number | 'auto', number | 'auto'] = hi > lo ? [lo, hi] : ['auto', 'auto'];
    return { x: axisScale([lo, hi], { fixed: xFixed, integer: integerX, count: 6 }), y: axisScale(all.map((p) => p.y), { fixed: yDomain }) };
  }, [series, yDomain]);
  return (
    <figure className={big ? 'chart big' : 'chart'} aria-label={title} data-testid={testId} data-points={points}>
      <figcaption>
        {title}
        <span className="axis-note"> · by {xLabel}</span>
      </figcaption>
      {/* Mounted even when empty: mounting a chart is the expensive part, so it happens at page
          load rather than in the middle of a run. */}
      <div className="chart-body">
        <ResponsiveContainer width="100%" height={height}>
          <LineChart margin={{ top: 8, right: 28, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="x" type="number" domain={x.domain} ticks={x.ticks} interval={0} allowDataOverflow allowDuplicatedCategory={false} tick={tick} tickFormatter={x.format} stroke="var(--muted)" />
            <YAxis
              dataKey="y"
              type="number"
              domain={y.domain}
              ticks={y.ticks}
              interval={0}
              allowDataOverflow
              tickFormatter={(v: number) => `${y.format(v)}${unit}`}
              // Whole steps of 16 px: the axis (and the plot) re-lays out only when labels grow by a few characters.
              width={16 * Math.ceil(Math.max(56, 12 + charWidth * Math.max(...y.ticks.map((t) => y.format(t).length + unit.length))) / 16)}
              tick={tick}
              stroke="var(--muted)"
            />
            <Tooltip
              contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }}
              formatter={(value) => `${num(Number(value))}${unit}`}
              labelFormatter={(label) => `${xLabel} ${num(Number(label))}`}
            />
            {series.length > 1 && <Legend />}
            {series.map((s) => (
              <Line
                key={s.name}
                name={s.name}
                data={s.points}
                dataKey="y"
                stroke={s.color}
                strokeWidth={(s.width ?? 2) * (big ? 1.5 : 1)}
                strokeOpacity={s.opacity ?? 1}
                strokeDasharray={s.dash}
                dot={s.dots ? { r: 3 } : false}
                activeDot={false}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
        {!hasData && <p className="chart-empty">{empty}</p>}
      </div>
    </figure>
  );
}
