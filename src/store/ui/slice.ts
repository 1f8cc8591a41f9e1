// Display state shared by the panels: theme, notices, a lost device, the dynamics view's curve
// and the presentation layout.
import type { LossCurve } from '../../engine/api';

export interface UiSlice {
  theme: 'system' | 'light' | 'dark';
  deviceLost: string | null;
  notice: { tone: 'info' | 'warn' | 'error'; text: string } | null;
  curve: LossCurve | null;
  curveStatus: 'idle' | 'loading' | 'error';
  curveError: string | null;
  /** Speed of the animated step timeline; 0 = paused. */
  timelineSpeed: number;
  /** The presentation layout (charts, a large counter and the run buttons on one screen); ?present=1 opens it. */
  presentation: boolean;
}

export const initialUi: UiSlice = {
  theme: 'system',
  deviceLost: null,
  notice: null,
  curve: null,
  curveStatus: 'idle',
  curveError: null,
  timelineSpeed: 1,
  presentation: typeof location !== 'undefined' && /^(1|true|yes)$/i.test(new URLSearchParams(location.search).get('present') ?? ''),
};
