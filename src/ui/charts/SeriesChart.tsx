// One line chart (recharts) of any number of series, each with its own x values, so several
// runs overlay on one step axis. Series arrive already downsampled (<= MAX_CHART_POINTS each);
// animation is off so live appends cost one redraw.
import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Point } from '../../store/downsample';
import { num } from '../format';

/** Axis labels big enough to read from the back of a room. */
export const TICK = { fill: 'var(--muted)', fontSize: 14 };

/** Short tick labels: 3 significant digits, 1.0e-4 style for tiny or huge values. */
export function tickNumber(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-2 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
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
  /** Six significant digits on the y axis, for curves that vary in the 4th digit. */
  precise?: boolean;
}

/** Redraws only when a series' points (cached per run version) or its look change. */
function sameProps(a: Props, b: Props): boolean {
  if (a.title !== b.title || a.height !== b.height || a.empty !== b.empty || a.xLabel !== b.xLabel || a.precise !== b.precise || a.yDomain !== b.yDomain) return false;
  if (a.series.length !== b.series.length) return false;
  return a.series.every((s, i) => {
    const t = b.series[i];
    return s.name === t.name && s.color === t.color && s.points === t.points && s.width === t.width && s.opacity === t.opacity && s.dots === t.dots && s.dash === t.dash;
  });
}

export const SeriesChart = memo(SeriesChartView, sameProps);

function SeriesChartView({ title, series, height = 220, testId, empty = 'No data yet.', yDomain, xLabel = 'step', precise }: Props) {
  const points = series[0]?.points.length ?? 0;
  const hasData = series.some((s) => s.points.length > 0);
  return (
    <figure className="chart" aria-label={title} data-testid={testId} data-points={points}>
      <figcaption>
        {title}
        <span className="axis-note"> · by {xLabel}</span>
      </figcaption>
      {/* Mounted even when empty: mounting a chart is the expensive part, so it happens at page
          load rather than in the middle of a run. */}
      <div className="chart-body">
        <ResponsiveContainer width="100%" height={height}>
          <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} tick={TICK} tickFormatter={(v: number) => num(v, 3)} stroke="var(--muted)" />
            <YAxis dataKey="y" type="number" domain={yDomain ?? ['auto', 'auto']} tickFormatter={precise ? (v: number) => Number(v.toPrecision(6)).toString() : tickNumber} width={precise ? 88 : 72} tick={TICK} stroke="var(--muted)" />
            <Tooltip
              contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }}
              formatter={(value) => num(Number(value))}
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
                strokeWidth={s.width ?? 2}
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
