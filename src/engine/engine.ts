// The engine behind the app's Web Worker (EngineApi): one GPU device, one Session, one run at
// a time. Model files come from the demo folder, the Hub (through the OPFS cache), a URL or
// files the user dropped; everything reports progress and typed errors through `subscribe`.
import type {
  BlockScaleProfile,
  AdapterReport, EngineApi, EngineEvent, EvalMetrics, LoadModelRequest, LossCurve, MemoryEstimate,
  ModelSource, ModelSummary, TaskInput, TaskSummary, TrainConfig, WeightFile,
} from './api';
import { acquireGpu, GpuContext } from './gpu/context';
import type { Backend } from './gpu/backend';
import type { BackendChoice } from './config/options';
import { chooseBackend } from './backends/choose';
import { CpuBackend } from './backends/cpu/cpuBackend';
import { forwardTokensPerSecond } from './session/forwardSpeed';
import { formatBytes } from './gpu/errors';
import type { LedgerSnapshot } from './gpu/ledger';
import { resolveModel, type ModelSpec, type ResolvedModel } from './model/loaders/resolveModel';
import { droppedFiles } from './model/loaders/modelFiles';
import { checkFits, estimateModelMemory } from './model/loaders/memoryEstimate';
import { browserModelCache } from './model/loaders/browserCache.browser';
import { buildTask } from './data/parse';
import { summarizeTask } from './data/parse';
import { loadModel } from './session/loadedModel';
import { Session } from './session/session';
import { runLoop, type RunControl } from './session/runLoop';
import { lossAlongDirection } from './session/lossProbe';
import { batchedVariantFor, SPLIT_SCRATCH_BYTES } from './gpu/kernels/matmul';
import { learnBlockScales } from './session/learnBlockScales';
import { exportRunWeights } from './session/exportWeights';
import type { GenerateRequest, GenerateResult } from './api';
import { generateText } from './generation/textGeneration';
import { startRun } from './session/startRun';
import { EngineStateError } from './defs/engineError';
import type {
  InfluenceCost, InfluenceKey, InfluenceRankRequest, InfluenceRanking, InfluenceRequest, InfluenceVectorsInfo, InfluenceVectorsResult,
  TrajectoryAttribution, TrajectoryRequest,
} from './api';
import { INFLUENCE_DEFAULTS, checkVectorsKey, rankQueries, trainVectors } from './influence/checkpoint';
import { decodeInfluenceFile, type InfluenceVectors } from './influence/cacheFile';
import { influenceKey } from './influence/keys';
import { queryExample } from './influence/query';
import { attributeTrajectory } from './influence/trajectory';

/** Where the built-in demo model is served (public/demo-model, next to index.html). */
export const DEMO_MODEL_PATH = 'demo-model/';

/**
 * The engine on the chosen backend ('auto': WebGPU when the platform gives an adapter, else the
 * CPU backend on the WASM kernels, with worker threads where the page is cross-origin isolated).
 */
export async function createEngine(gpu?: GPU, baseUrl?: string, backend: BackendChoice = 'auto'): Promise<EngineApi> {
  const g = globalThis as { navigator?: { gpu?: GPU; hardwareConcurrency?: number }; crossOriginIsolated?: boolean };
  const threads = g.crossOriginIsolated ? Math.max(1, Math.min(4, g.navigator?.hardwareConcurrency ?? 1)) : 1;
  const chosen = await chooseBackend(backend, {
    webgpu: () => acquireGpu(gpu ?? g.navigator?.gpu),
    cpu: () => CpuBackend.create({ threads }),
  });
  const base = baseUrl ?? (globalThis as { location?: { href: string } }).location?.href ?? '';
  return new Engine(chosen.backend, base, chosen.reason);
}

interface CurrentRun {
  runId: string;
  /** What the run loop polls between steps (pause, stop, pause after N steps). */
  control: RunControl;
  /** The loop is stepping it now. */
  stepping: boolean;
}

export class Engine implements EngineApi {
  private readonly session: Session;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private resolved: { key: string; model: ResolvedModel } | null = null;
  private inferenceBaseline = 0;
  /** The run the engine holds (Session.run is its Run), the control its loop polls, and whether
   *  the loop is stepping it now: the one place the engine keeps run state. */
  private current: CurrentRun | null = null;
  /** The request the current model was loaded with: a new run after a full-mode one reloads it. */
  private loaded: LoadModelRequest | null = null;

  constructor(
    readonly ctx: Backend,
    private readonly baseUrl: string,
    /** Why this backend ('a WebGPU adapter is available', 'no WebGPU adapter was found, ...'). */
    private readonly backendReason = '',
  ) {
    this.session = new Session(ctx);
    ctx.onDeviceLost((e) => this.emit({ kind: 'device-lost', message: e.message }));
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async adapterReport(): Promise<AdapterReport> {
    return { backend: this.ctx.kind, backendReason: this.backendReason, adapter: this.ctx.adapter, features: this.ctx.features, limits: this.ctx.limits };
  }

  async estimateMemory(request: LoadModelRequest): Promise<MemoryEstimate> {
    const resolved = await this.resolve(request.source);
    const e = estimateModelMemory(resolved.config as Record<string, unknown>, request.precision, request.maxBatch, request.maxSeqLen, undefined, resolved.reader);
    const fit = checkFits(e, { maxBufferSize: this.ctx.limits.maxBufferSize, maxStorageBufferBindingSize: this.ctx.limits.maxStorageBufferBindingSize });
    // On a GPU the batched matmuls share one split-K scratch (gpu/kernels/matmul.ts).
    const scratch = this.ctx instanceof GpuContext && batchedVariantFor(this.ctx) === 'tiled' ? SPLIT_SCRATCH_BYTES : 0;
    return {
      weightsBytes: e.weightsBytes,
      activationBytes: e.activationBytes + scratch,
      trainingExtraBytes: 0,
      totalBytes: e.totalBytes + scratch,
      maxBufferBytes: this.ctx.limits.maxBufferSize,
      fits: fit.fits,
      advice: fit.fits ? undefined : `${fit.problems.join(' ')} ${fit.advice}`.trim(),
    };
  }

  async loadModel(request: LoadModelRequest): Promise<ModelSummary> {
    // setModel ends the run (its hooks sit on the weights being replaced); a loop still stepping
    // keeps the engine busy until it stops.
    if (!this.current?.stepping) this.current = null;
    try {
      return await this.load(request);
    } finally {
      this.noteHeld();
    }
  }

  private async load(request: LoadModelRequest): Promise<ModelSummary> {
    const resolved = await this.resolve(request.source);
    const estimate = await this.estimateMemory(request);
    if (!estimate.fits) throw new EngineStateError('model-too-large', `This model does not fit ${this.ctx.kind === 'cpu' ? "the CPU backend's memory" : 'this GPU'} at ${request.precision} (needs ${formatBytes(estimate.totalBytes)}). ${estimate.advice ?? ''}`);
    const started = performance.now();
    const model = await loadModel(this.ctx, resolved, request.precision, (p) => {
      const elapsed = (performance.now() - started) / 1000;
      this.emit({
        kind: 'load-progress',
        progress: {
          file: p.tensor, loadedBytes: p.done, totalBytes: p.total, phase: request.precision === 'f32' ? 'upload' : 'quantize',
          bytesPerSecond: elapsed > 0 ? p.done / elapsed : 0, secondsLeft: p.done > 0 ? (elapsed * (p.total - p.done)) / p.done : null,
        },
      });
    });
    // On the CPU backend the header says what speed to expect, measured on this model.
    if (this.ctx.kind === 'cpu') model.summary.forwardTokensPerSecond = await forwardTokensPerSecond(this.ctx, model);
    this.session.setModel(model);
    this.loaded = request;
    this.inferenceBaseline = 0;
    this.emitMemory();
    return model.summary;
  }

  async setTask(task: TaskInput): Promise<TaskSummary> {
    // The run's forward pass was built for the task being replaced: a run continues by replaying its record.
    if (!this.current?.stepping) this.current = null;
    this.noteHeld();
    const parsed = buildTask(task.spec, Object.fromEntries(Object.entries(task.splits).map(([k, rows]) => [k, rows.map((r) => JSON.stringify(r)).join('\n')])));
    // Rows arrive validated, renumbered 1..n: the file's own line numbers, when sent, replace those.
    for (const [split, lines] of Object.entries(task.lines ?? {})) {
      if (parsed.lines && lines.length === task.splits[split]?.length && parsed.splits[split]?.length === lines.length) parsed.lines[split] = lines;
    }
    const encoded = this.session.setTask(parsed, task.longRows);
    const summary = summarizeTask(parsed);
    const splits = Object.fromEntries(Object.entries(encoded.splits).map(([name, rows]) => [name, rows.length]));
    return { ...summary, splits, problems: [...summary.problems, ...encoded.problems] };
  }

  async evaluate(split: string, limit: number): Promise<EvalMetrics> {
    const metrics = await this.session.evaluate(split, limit);
    this.noteInferenceBaseline();
    return metrics;
  }

  async train(runId: string, config: TrainConfig, resumeFrom?: Uint8Array, maxSteps?: number): Promise<void> {
    if (this.current?.stepping) {
      throw new EngineStateError('busy', 'another run is training; pause or stop it first');
    }
    // The engine holds this run's weights and optimizer state: it continues in place (the record
    // the app sends covers at most the steps the engine has done).
    const continuing = this.current?.runId === runId && this.session.run !== null;
    // Registered before the run is built, so a pause or stop sent meanwhile (Reset right after
    // Start) is seen by the loop before its first step.
    const control: RunControl = { requested: 'none' };
    const current: CurrentRun = (this.current = { runId, control, stepping: false });
    if (!continuing) {
      await this.restoreBaseWeights();
      if (!this.inferenceBaseline && config.objective !== 'zopro') await this.session.evaluate(config.evalSplit, 1).then(() => this.noteInferenceBaseline());
      try {
        await startRun(this.session, config, resumeFrom, { meta: { runId }, onProgress: (phase, done, total) => this.emit({ kind: 'run-progress', runId, phase, done, total }) });
      } finally {
        this.noteHeld();
      }
    }
    if (maxSteps !== undefined) control.pauseAfter = (this.session.run?.stepsDone ?? 0) + maxSteps;
    this.emitMemory();
    current.stepping = true;
    try {
      await runLoop(this.session, runId, control, { emit: (e) => this.emit(e) });
    } catch (e) {
      this.emit({ kind: 'run-state', runId, state: 'failed', error: (e as Error).message });
      throw e;
    } finally {
      current.stepping = false;
      this.emitMemory();
    }
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.current?.stepping) throw new EngineStateError('busy', 'Pause the run first: generation shares the GPU with training.');
    const model = this.session.requireModel();
    const hooks = this.session.run?.trainable.hooks ?? [];
    return generateText(this.ctx, model, hooks, request, (t) =>
      this.emit({ kind: 'generated-token', requestId: request.requestId, sequence: t.sequence, token: t.token, text: t.text }),
    );
  }

  pause(runId: string): void {
    if (this.current?.runId === runId) this.current.control.requested = 'pause';
  }

  stop(runId: string): void {
    if (this.current?.runId === runId) this.current.control.requested = 'stop';
  }

  async runRecord(runId: string): Promise<Uint8Array> {
    if (runId !== this.current?.runId || !this.session.run) throw new EngineStateError('not-current-run', `run ${runId} is not the engine's current run`);
    return this.session.run.encodeRecord();
  }

  async exportWeights(runId: string): Promise<WeightFile[]> {
    const run = this.session.run;
    if (runId !== this.current?.runId || !run) throw new EngineStateError('not-current-run', `run ${runId} is not loaded in the engine; resume it first to rebuild its weights`);
    if (this.current?.stepping) throw new EngineStateError('busy', 'Pause the run first: weights change while it trains.');
    return exportRunWeights(this.ctx, this.session, run);
  }

  async lossAlongDirection(direction: LossCurve['direction'], span: number, points: number): Promise<LossCurve> {
    if (this.current?.stepping) throw new EngineStateError('busy', 'Pause the run first: probing moves the weights between steps.');
    return lossAlongDirection(this.session, direction, span, points);
  }

  /**
   * Full-mode runs train the model's own weights in place. A new run (or a replay of a saved one)
   * must start from the weights as loaded, so after one the model is loaded again (its files are
   * still open; the demo model takes a second or two).
   */
  private async restoreBaseWeights(): Promise<void> {
    if (!this.session.weightsChanged || !this.loaded) return;
    await this.load(this.loaded);
  }

  async learnBlockScales(config: TrainConfig): Promise<BlockScaleProfile> {
    if (this.current?.stepping) throw new EngineStateError('busy', 'Pause the run first: learning block variances probes the weights.');
    // The probes build a run of their own: the engine no longer holds the previous one.
    this.current = null;
    this.noteHeld();
    return learnBlockScales(this.session, config);
  }

  /** The vectors computed or imported last (influenceRank reads them). */
  private influence: { file: InfluenceVectors; info: InfluenceVectorsInfo } | null = null;
  private readonly cancelledInfluence = new Set<string>();

  async influenceKey(config: TrainConfig): Promise<InfluenceKey> {
    return influenceKey(this.session, config);
  }

  async influenceVectors(request: InfluenceRequest): Promise<InfluenceVectorsResult> {
    await this.prepareInfluence();
    const k = request.k ?? INFLUENCE_DEFAULTS.k;
    if (!Number.isInteger(k) || k < 1 || k > 65536) throw new EngineStateError('unsupported-config', `k is the number of directions, 1 to 65536; got ${k}`);
    const seed = (request.seed ?? INFLUENCE_DEFAULTS.seed) >>> 0;
    const eps = request.eps ?? INFLUENCE_DEFAULTS.eps;
    const started = performance.now();
    const { file, bytes, cost } = await this.withCancel(request.requestId, () =>
      trainVectors(this.session, request.config, { k, seed, eps, blocks: !!request.blocks, onProgress: this.influenceProgress(request.requestId, 'vectors') }),
    );
    const info = this.vectorsInfo(file, cost, (performance.now() - started) / 1000);
    this.influence = { file, info };
    this.influenceConfigUsed = request.config;
    return { ...info, bytes };
  }

  async importInfluenceVectors(bytes: Uint8Array, config: TrainConfig): Promise<InfluenceVectorsInfo> {
    const file = decodeInfluenceFile(bytes);
    checkVectorsKey(file, await influenceKey(this.session, config), this.session.requireTask().splits.train.length);
    const { header } = file;
    const ranges = header.blocks?.length ?? 1;
    const info = this.vectorsInfo(file, {
      rows: header.rows, k: header.k, dims: header.dims, tensors: ranges, parameters: 0, perturbationPasses: 0, forwards: 0, batch: 0, cacheBytes: bytes.length, scratchBytes: 0,
    }, 0);
    this.influence = { file, info };
    this.influenceConfigUsed = config;
    return info;
  }

  async influenceRank(request: InfluenceRankRequest): Promise<InfluenceRanking[]> {
    if (!this.influence) throw new EngineStateError('no-vectors', 'Compute the influence vectors first (or import a cache file).');
    await this.prepareInfluence();
    const file = this.influence.file;
    return this.withCancel(request.requestId, () =>
      rankQueries(this.session, this.influenceConfig(), file, request.queries, request.top ?? INFLUENCE_DEFAULTS.top, this.influenceProgress(request.requestId, 'query')),
    );
  }

  async influenceTrajectory(request: TrajectoryRequest): Promise<TrajectoryAttribution> {
    if (this.current?.stepping) throw new EngineStateError('busy', 'Pause the run first: the replay moves the weights.');
    const queryEx = queryExample(this.session, request.query);
    // The replay starts from the checkpoint and builds a run of its own: the engine no longer holds the previous one.
    this.current = null;
    this.session.endRun();
    this.noteHeld();
    await this.restoreBaseWeights();
    const progress = this.influenceProgress(request.requestId, 'trajectory');
    return this.withCancel(request.requestId, () =>
      attributeTrajectory(this.session, request.config, request.record, request.query, queryEx, { top: request.top ?? INFLUENCE_DEFAULTS.top, onStep: (done, total) => progress(done, total) }),
    );
  }

  cancelInfluence(requestId: string): void {
    this.cancelledInfluence.add(requestId);
  }

  /** Influence probes the weights between steps only; without a held ZO run it works on the checkpoint's weights. */
  private async prepareInfluence(): Promise<void> {
    if (this.current?.stepping) throw new EngineStateError('busy', 'Pause the run first: influence perturbs the weights between steps.');
    if (this.session.run?.zo) return;
    this.current = null;
    this.noteHeld();
    await this.restoreBaseWeights();
  }

  /** The config a ranking's frame is built from: the held run's, or the one the vectors were computed with. */
  private influenceConfig(): TrainConfig {
    const config = this.session.run?.config ?? this.influenceConfigUsed;
    if (!config) throw new EngineStateError('no-vectors', 'Compute the influence vectors first (or import a cache file).');
    return config;
  }

  private influenceConfigUsed: TrainConfig | null = null;

  private vectorsInfo(file: InfluenceVectors, cost: InfluenceCost, seconds: number): InfluenceVectorsInfo {
    const { key, k, seed, eps, blocks, rows, dims } = file.header;
    return { key, k, seed, eps, blocks, rows, dims, cost, seconds };
  }

  private async withCancel<T>(requestId: string, work: () => Promise<T>): Promise<T> {
    this.cancelledInfluence.delete(requestId);
    try {
      return await work();
    } finally {
      this.cancelledInfluence.delete(requestId);
    }
  }

  /** Progress events with time left; throws 'cancelled' at the next unit once cancelInfluence named the request. */
  private influenceProgress(requestId: string, phase: 'vectors' | 'query' | 'trajectory') {
    const started = performance.now();
    return (done: number, total: number, cost?: InfluenceCost) => {
      if (this.cancelledInfluence.has(requestId)) throw new EngineStateError('cancelled', 'Influence computation cancelled; the weights are as they were.');
      const elapsed = (performance.now() - started) / 1000;
      this.emit({ kind: 'influence-progress', requestId, phase, done, total, secondsLeft: done > 0 ? (elapsed * (total - done)) / done : null, ...(done === 0 && cost ? { cost } : {}) });
    };
  }

  async memory(): Promise<{ ledger: LedgerSnapshot; inferenceBaseline: number }> {
    return { ledger: this.ctx.ledger.snapshot(), inferenceBaseline: this.inferenceBaseline };
  }

  private noteInferenceBaseline(): void {
    if (!this.session.run) this.inferenceBaseline = this.ctx.ledger.snapshot().total;
  }

  private held: string | null = null;

  /** Tells the app which run it holds (EngineEvent 'run-held') when that changed. */
  private noteHeld(): void {
    const held = this.current && this.session.run ? this.current.runId : null;
    if (held === this.held) return;
    this.held = held;
    this.emit({ kind: 'run-held', runId: held });
  }

  private emitMemory(): void {
    this.emit({ kind: 'memory', ledger: this.ctx.ledger.snapshot(), inferenceBaseline: this.inferenceBaseline });
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
  }

  private async resolve(source: ModelSource): Promise<ResolvedModel> {
    const key = source.kind === 'files' ? `files:${source.files.map((f) => `${f.name}:${f.size}`).join(',')}` : JSON.stringify({ ...source, token: undefined });
    if (this.resolved?.key === key) return this.resolved.model;
    const spec: ModelSpec =
      source.kind === 'demo' ? { kind: 'url', url: new URL(DEMO_MODEL_PATH, this.baseUrl).href.replace(/\/$/, '') }
      : source.kind === 'hub' ? { kind: 'hub', repo: source.repo, revision: source.revision }
      : source.kind === 'url' ? { kind: 'url', url: source.url }
      : { kind: 'files', files: droppedFiles('dropped files', source.files), gguf: source.files.find((f) => f.name.toLowerCase().endsWith('.gguf'))?.name };
    const model = await resolveModel(spec, {
      endpoint: source.kind === 'hub' ? source.endpoint : undefined,
      token: source.kind === 'hub' ? source.token : undefined,
      cache: source.kind === 'hub' ? browserModelCache() : null,
      onProgress: (progress) => this.emit({ kind: 'load-progress', progress }),
    });
    // The checkpoint this replaces stays open only while the loaded model still reads from it.
    const previous = this.resolved?.model;
    if (previous && previous !== this.session.model?.resolved) void previous.reader.close?.();
    this.resolved = { key, model };
    return model;
  }
}
