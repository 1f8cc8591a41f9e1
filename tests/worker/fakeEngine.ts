// A test double of EngineApi: records calls, answers with fixed plain data, can emit events
// and can be told to fail with a typed error, so the worker protocol is tested without a GPU.
import type {
  AdapterReport, BlockScaleProfile, EngineApi, EngineEvent, EvalMetrics, GenerateRequest, GenerateResult, InfluenceCost, InfluenceKey, InfluenceRankRequest,
  InfluenceRanking, InfluenceRequest, InfluenceVectorsInfo, InfluenceVectorsResult, LoadModelRequest, LossCurve, MemoryEstimate, ModelSummary, TaskInput,
  TaskSummary, TrainConfig, TrajectoryAttribution, TrajectoryRequest, WeightFile,
} from '../../src/engine/api';
import type { LedgerSnapshot } from '../../src/engine/gpu/ledger';
import { GpuOutOfMemoryError } from '../../src/engine/gpu/errors';

export class FakeEngine implements EngineApi {
  readonly calls: { method: string; args: unknown[] }[] = [];
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private trainRelease: (() => void) | null = null;
  failNextWith: Error | null = null;
  record = new Uint8Array([1, 2, 3, 4, 5]);

  private note(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failNextWith;
    this.failNextWith = null;
    if (failure) throw failure;
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async adapterReport(): Promise<AdapterReport> {
    this.note('adapterReport');
    return {
      backend: 'webgpu',
      backendReason: 'a WebGPU adapter is available',
      adapter: { vendor: 'test', architecture: 'double', device: '', description: 'Fake adapter', isSoftware: true },
      features: { f16: false, subgroups: false, timestampQuery: false },
      limits: {
        maxStorageBufferBindingSize: 1 << 27,
        maxBufferSize: 1 << 28,
        maxComputeWorkgroupStorageSize: 16384,
        maxComputeInvocationsPerWorkgroup: 256,
        maxComputeWorkgroupsPerDimension: 65535,
        maxStorageBuffersPerShaderStage: 8,
      },
    };
  }
  async estimateMemory(request: LoadModelRequest): Promise<MemoryEstimate> {
    this.note('estimateMemory', request);
    return { weightsBytes: 100, activationBytes: 10, trainingExtraBytes: 1, totalBytes: 111, maxBufferBytes: 1000, fits: true };
  }
  async loadModel(request: LoadModelRequest): Promise<ModelSummary> {
    this.note('loadModel', request);
    this.emit({ kind: 'load-progress', progress: { file: 'model.safetensors', loadedBytes: 50, totalBytes: 100, bytesPerSecond: 10, secondsLeft: 5, phase: 'download' } });
    return { name: 'fake', architecture: 'llama', parameters: 10, layers: 1, hidden: 4, heads: 1, kvHeads: 1, vocab: 8, precision: request.precision, fileHashes: {}, hasChatTemplate: false, tokenizerSource: 'tokenizer.json', warnings: [] };
  }
  async setTask(task: TaskInput): Promise<TaskSummary> {
    this.note('setTask', task);
    return { name: task.spec.name, type: task.spec.type, splits: Object.fromEntries(Object.entries(task.splits).map(([k, v]) => [k, v.length])), problems: [] };
  }
  async evaluate(split: string, limit: number): Promise<EvalMetrics> {
    this.note('evaluate', split, limit);
    return { step: 0, split, accuracy: 0.5, loss: 0.69, n: limit };
  }
  async train(runId: string, config: TrainConfig, resumeFrom?: Uint8Array): Promise<void> {
    this.note('train', runId, config, resumeFrom);
    await new Promise<void>((resolve) => (this.trainRelease = resolve));
  }
  pause(runId: string): void {
    this.note('pause', runId);
    this.trainRelease?.();
  }
  stop(runId: string): void {
    this.note('stop', runId);
    this.trainRelease?.();
  }
  async runRecord(runId: string): Promise<Uint8Array> {
    this.note('runRecord', runId);
    return this.record;
  }
  async exportWeights(runId: string): Promise<WeightFile[]> {
    this.note('exportWeights', runId);
    return [{ name: 'adapter_model.safetensors', bytes: this.record.slice() }];
  }
  async lossAlongDirection(direction: LossCurve['direction'], span: number, points: number): Promise<LossCurve> {
    this.note('lossAlongDirection', direction, span, points);
    const offsets = Array.from({ length: points }, (_, i) => -span + (2 * span * i) / (points - 1));
    return { offsets, losses: offsets.map((a) => 1 + a * a), direction, step: 0, rows: [0], batch: 'first' };
  }
  async learnBlockScales(config: TrainConfig): Promise<BlockScaleProfile> {
    this.note('learnBlockScales', config.mode);
    return { model: 'fake', mode: config.mode, task: 'fake', rows: 1, probes: 1, eps: 1e-2, blocks: [] };
  }
  async memory(): Promise<{ ledger: LedgerSnapshot; inferenceBaseline: number }> {
    this.note('memory');
    return { ledger: { current: { weights: 8, trainable: 0, optimizer: 0, activations: 4, scratch: 1, staging: 1 }, total: 14, peak: 14 }, inferenceBaseline: 12 };
  }
  /** Emits two 'generated-token' events for the first prompt, then answers with their text. */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.note('generate', request);
    this.emit({ kind: 'generated-token', requestId: request.requestId, sequence: 0, token: 5, text: ' a' });
    this.emit({ kind: 'generated-token', requestId: request.requestId, sequence: 0, token: 6, text: ' dog' });
    return { texts: request.prompts.map((_, i) => (i === 0 ? ' a dog' : '')), finish: request.prompts.map(() => 'length' as const) };
  }
  /** Influence answers for three train rows, with one progress event per computation. */
  readonly influenceRows = 3;
  async influenceKey(config: TrainConfig): Promise<InfluenceKey> {
    this.note('influenceKey', config);
    return { model: 'm0', weights: 'w0', task: 't0' };
  }
  private fakeVectorsInfo(k: number): InfluenceVectorsInfo {
    const cost: InfluenceCost = { rows: this.influenceRows, k, dims: k, tensors: 1, parameters: 8, perturbationPasses: 2 * k, forwards: 2 * k, batch: 4, cacheBytes: this.influenceRows * (4 + 2 * k), scratchBytes: 32 };
    return { key: { model: 'm0', weights: 'w0', task: 't0' }, k, seed: 0, eps: 1e-3, blocks: null, rows: this.influenceRows, dims: k, cost, seconds: 0 };
  }
  async influenceVectors(request: InfluenceRequest): Promise<InfluenceVectorsResult> {
    this.note('influenceVectors', request);
    const info = this.fakeVectorsInfo(request.k);
    this.emit({ kind: 'influence-progress', requestId: request.requestId, phase: 'vectors', done: 0, total: request.k, secondsLeft: null, cost: info.cost });
    return { ...info, bytes: new Uint8Array([9, 9]) };
  }
  async importInfluenceVectors(bytes: Uint8Array, config: TrainConfig): Promise<InfluenceVectorsInfo> {
    this.note('importInfluenceVectors', bytes, config);
    return this.fakeVectorsInfo(4);
  }
  async influenceRank(request: InfluenceRankRequest): Promise<InfluenceRanking[]> {
    this.note('influenceRank', request);
    const scores = Float32Array.from([0.5, -0.25, 0.125]);
    return request.queries.map((query) => ({ query, queryLoss: 0.7, proponents: [{ row: 0, sourceRow: 0, score: 0.5 }], opponents: [{ row: 1, sourceRow: 1, score: -0.25 }], scores }));
  }
  async influenceTrajectory(request: TrajectoryRequest): Promise<TrajectoryAttribution> {
    this.note('influenceTrajectory', request);
    return {
      query: request.query, steps: 2, contributions: Float32Array.from([-0.01, 0.002, 0]), proponents: [{ row: 0, sourceRow: 0, score: -0.01 }], opponents: [{ row: 1, sourceRow: 1, score: 0.002 }],
      predicted: Float32Array.from([-0.005, -0.003]), actual: Float32Array.from([-0.004, -0.003]), predictedTotal: -0.008, actualTotal: -0.007, correlation: 1, lossBefore: 0.7, lossAfter: 0.693,
    };
  }
  cancelInfluence(requestId: string): void {
    this.note('cancelInfluence', requestId);
  }
  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const oomError = () => new GpuOutOfMemoryError('weights', 1 << 30);
