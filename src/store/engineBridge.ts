// Owns the engine client and turns its events into store updates. Events are queued and applied
// in one batch at most every FLUSH_INTERVAL_MS (a timer, so it also runs in a hidden tab), so a fast run costs a few store updates and React
// renders per second, however many steps it makes.
import type { EngineEvent } from '../engine/api';
import { EngineClient } from '../worker/client';
import { appendEval, appendReward, appendStep, lastStep, truncateRewards } from './series';
import { getState, setState, type StudioState } from './state';
import { userError } from './userError';
import { appendRecordEntry, beginRecord } from './runs/records';
import type { RunView } from './runs/slice';
import type { RunState } from './runTypes';

let client: EngineClient | null = null;
let queue: EngineEvent[] = [];
let scheduled = false;
let lastFlush = 0;
/** Fewest milliseconds between two applied batches: charts redraw at most ~5 times a second. */
const FLUSH_INTERVAL_MS = 200;
const stepArrivals: number[] = [];
const runStateListeners = new Set<(runId: string, state: RunState, error?: string) => void>();
const stepListeners = new Set<(runId: string) => void>();

/** The live client; throws when the engine is not running (callers check engineStatus first). */
export function engine(): EngineClient {
  if (!client) throw new Error('The engine is not running.');
  return client;
}

export function hasEngine(): boolean {
  return client !== null && getState().engineStatus === 'ready';
}

/** Starts (or restarts, after a lost device) the worker and asks it for the adapter report. */
export async function startEngine(): Promise<void> {
  await connectEngine(EngineClient.spawn(new URL(import.meta.env.BASE_URL, location.href).href, getState().backendChoice));
}

/**
 * Makes `fresh` the store's engine (replacing and terminating the previous one) and asks it for
 * the adapter report. Node tests pass a client wired to the worker handler and a fake engine.
 */
export async function connectEngine(fresh: EngineClient): Promise<void> {
  client?.terminate();
  queue = [];
  client = fresh;
  // A new engine holds no run: a run continues by replaying its record.
  setState({ engineStatus: 'starting', engineError: null, heldRunId: null });
  fresh.subscribe(enqueue);
  fresh.onFatal((error) => {
    if (client !== fresh) return;
    const noGpu = error.kind === 'webgpu-unavailable';
    setState({ engineStatus: noGpu ? 'no-webgpu' : 'failed', engineError: userError(error) });
  });
  try {
    const adapter = await fresh.adapterReport();
    if (client === fresh) setState({ adapter, engineStatus: 'ready' });
  } catch (error) {
    if (client !== fresh) return;
    const e = userError(error);
    setState({ engineStatus: e.kind === 'webgpu-unavailable' ? 'no-webgpu' : 'failed', engineError: e });
  }
}

/** Called by the runs actions: persistence reacts to run states and to new steps. */
export function onRunState(listener: (runId: string, state: RunState, error?: string) => void): () => void {
  runStateListeners.add(listener);
  return () => runStateListeners.delete(listener);
}
export function onSteps(listener: (runId: string) => void): () => void {
  stepListeners.add(listener);
  return () => stepListeners.delete(listener);
}

function enqueue(event: EngineEvent): void {
  if (event.kind === 'device-lost') {
    // Not batched: the UI must stop offering actions on a dead device at once.
    setState({ deviceLost: event.message });
    return;
  }
  queue.push(event);
  if (scheduled) return;
  scheduled = true;
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    scheduled = false;
    flush();
  };
  const wait = Math.max(0, FLUSH_INTERVAL_MS - (performance.now() - lastFlush));
  setTimeout(() => {
    setTimeout(run, 0);
  }, wait);
}

/** Applies every queued event in one setState. Exported for tests. */
export function flush(): void {
  const events = queue;
  queue = [];
  lastFlush = performance.now();
  if (events.length === 0) return;
  const s = getState();
  const patch: Partial<StudioState> = {};
  const touched = new Map<string, RunView>();
  const stepped = new Set<string>();
  const stateChanges: [string, RunState, string | undefined][] = [];
  const view = (runId: string): RunView | undefined => {
    const existing = touched.get(runId) ?? s.runs[runId];
    if (!existing) return undefined;
    if (!touched.has(runId)) touched.set(runId, { ...existing, meta: { ...existing.meta } });
    return touched.get(runId);
  };
  for (const event of events) {
    switch (event.kind) {
      case 'load-progress':
        patch.progress = event.progress;
        break;
      case 'memory':
        patch.memory = { ledger: event.ledger, inferenceBaseline: event.inferenceBaseline };
        break;
      case 'run-progress':
        patch.runProgress = { runId: event.runId, phase: event.phase, done: event.done, total: event.total };
        break;
      case 'step': {
        // Events count steps done (api.ts EngineEvent), as the charts do.
        const run = view(event.runId);
        if (!run) break;
        const { step } = event.metrics;
        // A replayed step supersedes the reward rows from its step on, as it does the steps.
        if (step <= lastStep(run.steps)) truncateRewards(run.rewards, step);
        appendStep(run.steps, event.metrics);
        // The record covers this step now: "saved at" follows it without a render of its own.
        if (appendRecordEntry(event.runId, event.entry)) run.recordStep = step;
        stepped.add(event.runId);
        if (event.runId === s.activeRunId) noteArrival();
        if ((patch.launch !== undefined ? patch.launch : s.launch)?.runId === event.runId) patch.launch = null;
        if ((patch.runProgress ?? s.runProgress)?.runId === event.runId) patch.runProgress = null;
        break;
      }
      case 'eval': {
        const run = view(event.runId);
        if (run) appendEval(run.evals, event.metrics);
        break;
      }
      case 'reward': {
        const run = view(event.runId);
        if (run) appendReward(run.rewards, event.metrics);
        break;
      }
      case 'run-record': {
        const run = view(event.runId);
        if (!run) break;
        beginRecord(event.runId, event.record);
        run.recordStep = event.stepsDone;
        break;
      }
      case 'run-held':
        patch.heldRunId = event.runId;
        break;
      case 'run-state': {
        const run = view(event.runId);
        if (run) {
          run.meta.state = event.state;
          run.meta.error = event.error;
          // A resumed run starts a fresh watch: the last warning spoke of the steps before it.
          if (event.state === 'running') run.meta.warning = undefined;
          run.meta.updatedAt = Date.now();
        }
        stateChanges.push([event.runId, event.state, event.error]);
        // The engine has built the run and begins stepping: what is left before a point is the first step.
        const launch = patch.launch !== undefined ? patch.launch : s.launch;
        if (launch?.runId === event.runId) patch.launch = event.state === 'running' ? { ...launch, phase: 'first-step' } : null;
        if (event.state !== 'running' && (patch.runProgress ?? s.runProgress)?.runId === event.runId) patch.runProgress = null;
        break;
      }
      case 'run-warning': {
        const run = view(event.runId);
        if (run) run.meta.warning = event.warning.message;
        break;
      }
      case 'device-lost':
        patch.deviceLost = event.message;
        break;
    }
  }
  if (touched.size > 0) {
    const runs = { ...s.runs };
    for (const [id, run] of touched) runs[id] = { ...run, version: run.version + 1 };
    patch.runs = runs;
  }
  if (stepped.has(s.activeRunId ?? '')) patch.stepsPerSecond = measuredRate();
  setState(patch);
  for (const runId of stepped) for (const listener of stepListeners) listener(runId);
  for (const [runId, state, error] of stateChanges) for (const listener of runStateListeners) listener(runId, state, error);
}

function noteArrival(): void {
  stepArrivals.push(performance.now());
  if (stepArrivals.length > 20) stepArrivals.shift();
}

function measuredRate(): number | null {
  if (stepArrivals.length < 3) return null;
  const span = stepArrivals[stepArrivals.length - 1] - stepArrivals[0];
  return span > 0 ? ((stepArrivals.length - 1) * 1000) / span : null;
}

/** Forget arrival times (a run started, paused or resumed: old gaps would skew the rate). */
export function resetRate(): void {
  stepArrivals.length = 0;
  setState({ stepsPerSecond: null });
}
