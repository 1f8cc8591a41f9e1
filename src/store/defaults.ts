// The app's own defaults: what only the browser app has (demo tasks, chart drawing, the model
// panel's sequence length). A run's defaults, presets and option lists live in one home shared
// with the engine and the CLI: src/engine/config/.

/** Model loading: the longest sequence the activations are sized for. */
export const DEFAULT_MAX_SEQ_LEN = 128; // demo glosses fit in well under 128 tokens

/** The demo tasks served from public/demo-data/<name>/. */
export const DEMO_TASKS = ['wn-animal-plant', 'wn-topic4', 'wn-define-pref'] as const;
export const DEFAULT_TASK = 'wn-animal-plant';

/** EMA weight for the smoothed loss curve (TensorBoard-style, bias-corrected). */
export const LOSS_SMOOTHING = 0.9;
/** Most points a chart draws, whatever the run length. */
export const MAX_CHART_POINTS = 2000;
