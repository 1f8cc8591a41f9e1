// The engine as the app sees it: what the Web Worker wraps (src/worker/) and what the CLI
// drives. Everything crossing this boundary is structured-cloneable plain data.
import type { LedgerSnapshot } from './gpu/ledger';
import type { AdapterSummary, BackendKind, GpuFeatures, GpuLimitsSummary } from './gpu/device';
import type { TaskSpec, TaskRow } from './data/task';
import type { LambdaSchedule, LrSchedule, Objective, OptimizerName, SparseScore, TuningMode, WeightPrecision } from './config/options';

// The option types derive from the lists in config/options.ts (one home for every choice).
export type { LambdaSchedule, LrSchedule, Objective, OptimizerName, SparseScore, TuningMode, WeightPrecision };

export type ModelSource =
  | { kind: 'demo' }
  | { kind: 'hub'; repo: string; revision?: string; token?: string; endpoint?: string }
  | { kind: 'url'; url: string }
  /** Files the user picked or dropped (a folder's files, or one .gguf). */
  | { kind: 'files'; files: File[] };

export interface LoadModelRequest {
  source: ModelSource;
  precision: WeightPrecision;
  /** Largest batch x sequence the activations are sized for. */
  maxBatch: number;
  maxSeqLen: number;
}

export interface ModelSummary {
  name: string;
  architecture: string;
  parameters: number;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  precision: WeightPrecision;
  /** sha-256 of each weight file, hex: the identity a run records. */
  fileHashes: Record<string, string>;
  hasChatTemplate: boolean;
  /** What loaded but deserves a look, e.g. checkpoint tensors the model does not use. */
  warnings: string[];
  /** Where the tokenizer came from: "tokenizer.json", or the GGUF's own metadata (and which kind). */
  tokenizerSource: string;
  /** CPU backend: forward tokens/s measured on this model at load (batch 1 x 32 tokens). */
  forwardTokensPerSecond?: number;
}

export interface AdapterReport {
  /** Where the kernels run, and why that one ('no WebGPU adapter was found, ...'). */
  backend: BackendKind;
  backendReason: string;
  adapter: AdapterSummary;
  features: GpuFeatures;
  limits: GpuLimitsSummary;
}

export interface LoadProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  secondsLeft: number | null;
  phase: 'download' | 'cache' | 'upload' | 'quantize';
}

export interface TaskInput {
  spec: TaskSpec;
  splits: Record<string, TaskRow[]>;
  /** Rows longer than the model's maximum sequence length: left out (default) or truncated from the left. */
  longRows?: 'skip' | 'truncate';
  /** The file line of each row, per split, so problems name the lines the user sees. */
  lines?: Record<string, number[]>;
}

export interface TrainConfig {
  mode: TuningMode;
  optimizer: OptimizerName;
  objective: Objective;
  steps: number;
  lr: number;
  eps: number;
  batch: number;
  /** Perturbations averaged per step (MeZO's n). */
  q: number;
  seed: number;
  weightDecay: number;
  schedule: LrSchedule;
  /** Clip |projected gradient| to this value (0 = off). */
  clip: number;
  oneSided: boolean;
  evalEvery: number;
  evalSplit: string;
  /** Dev rows used for each evaluation (0 = all). */
  evalLimit: number;
  /** Full mode only: train just these layers (indices) and/or projection types (q, k, v, o,
   *  gate, up, down); either given means linear weights only. Absent: every weight. */
  full?: { layers?: number[]; projections?: string[] };
  lora?: { rank: number; alpha: number; targets: string[] };
  sparse?: { fraction: number; score: SparseScore; calibrationRows: number };
  momentum?: number;
  /** objective 'dpo' (src/engine/preference/dpo.ts). */
  dpo?: DpoOptions;
  /** objective 'zopro' (src/engine/preference/zopro.ts). */
  zopro?: ZoproOptions;
  /** Record each step's per-row directional derivatives in the run record (v3 extra 'row-derivs',
   *  2 bytes a row a step): trajectory attribution then reads them instead of recomputing the
   *  batch's losses. ZO-SGD, q = 1, two-sided runs of a classification or text task only. */
  rowDerivatives?: boolean;
  /** Learned per-block perturbation scales by tensor name (blockScalesOf(profile)): block b is
   *  perturbed by s_b z_b instead of z_b. Absent: MeZO's isotropic perturbation. */
  blockScales?: Record<string, number>;
}

/** Per-block perturbation variances learned once for a model and tuning mode (training/blockScales.ts). */
export interface BlockScaleProfile {
  model: string;
  mode: TuningMode;
  /** The task whose first train batch the probes ran on (the profile is reused on any task). */
  task: string;
  rows: number;
  probes: number;
  eps: number;
  blocks: { name: string; count: number; gradEnergy: number; curvature: number; scale: number }[];
}

export interface DpoOptions {
  /** Scale of the implicit reward beta ((s_c - ref_c) - (s_r - ref_r)), s = mean log-prob. */
  beta: number;
}

/** A built-in reward rule for ZOPrO demos (src/engine/preference/rewards.ts). */
export type RewardRule =
  | { kind: 'length'; /** characters that earn the full reward */ target: number }
  | { kind: 'keyword'; keyword: string }
  | { kind: 'regex'; pattern: string; flags?: string };

export interface ZoproOptions {
  /** Completions sampled per prompt (RLOO's k >= 2). */
  k: number;
  /** Prompts per step. */
  prompts: number;
  /** Weight of the previous update direction in the perturbation, decayed per step. */
  lambda: { start: number; end: number; schedule: LambdaSchedule };
  /** Weight of the KL penalty to the start model. */
  klCoef: number;
  reward: RewardRule;
  maxNewTokens: number;
  temperature: number;
}

export interface StepMetrics {
  step: number;
  lossPlus: number;
  lossMinus: number;
  /** Mean of (L+ + L-)/2: the loss at the current weights, to first order. */
  loss: number;
  projectedGrad: number;
  lr: number;
  seed: number;
  millis: number;
}

/** A run that stopped learning, said in words (src/engine/training/divergence.ts). */
export interface RunWarning {
  code: 'non-finite' | 'saturated' | 'rising';
  /** The step that triggered it: its 0-based index in the engine, steps done in events (EngineEvent). */
  step: number;
  message: string;
  /** The run cannot usefully go on: the run loop stops it. */
  stop: boolean;
}

export interface EvalMetrics {
  step: number;
  split: string;
  accuracy: number;
  loss: number;
  n: number;
}

/** Preference-run curves (ZO-DPO, ZOPrO), streamed next to the loss curves. */
export interface RewardMetrics {
  step: number;
  objective: 'dpo' | 'zopro';
  /** DPO: the split evaluated ('train' subset or dev); ZOPrO: 'rollout' (the step's samples). */
  split: string;
  /** DPO loss, or ZOPrO's policy-gradient + KL loss. */
  loss: number;
  /** DPO: mean implicit reward margin, fraction of pairs with a positive margin, and the
   *  task's accuracy (chosen has the higher mean log-prob). */
  margin?: number;
  rewardAccuracy?: number;
  accuracy?: number;
  /** ZOPrO: mean and standard deviation of the rollouts' rewards; KL to the start model per token. */
  rewardMean?: number;
  rewardStd?: number;
  kl?: number;
  n: number;
}

export interface GenerateRequest {
  requestId: string;
  prompts: string[];
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  /** Wrap each prompt in the tokenizer's chat template when it has one. */
  chat: boolean;
}

export interface GenerateResult {
  texts: string[];
  finish: ('stop' | 'length')[];
}

/**
 * What the engine reports. Steps are counted one way in every event: `step` is the number of
 * steps done when it happened (the step with 0-based index k is step k + 1; an evaluation of the
 * start weights is step 0), in step, eval, reward and run-warning events alike. Inside the engine
 * (StepMetrics, RunWarning, the record) steps keep their 0-based index; the run loop converts.
 */
export type EngineEvent =
  | { kind: 'load-progress'; progress: LoadProgress }
  /** `entry`: the step's record entry; appended to the run's record it makes the record of this step. */
  | { kind: 'step'; runId: string; metrics: StepMetrics; entry: Uint8Array }
  /** Sent as a run begins stepping: its open record so far (a resumed run's replayed steps; a new
   *  run's header). Each later step event's entry appends to it. */
  | { kind: 'run-record'; runId: string; record: Uint8Array; stepsDone: number }
  /** The run whose weights and optimizer state the engine holds, so it can continue in place
   *  (null: none; a run then continues by replaying its record). Sent when that changes. */
  | { kind: 'run-held'; runId: string | null }
  | { kind: 'eval'; runId: string; metrics: EvalMetrics }
  | { kind: 'memory'; ledger: LedgerSnapshot; inferenceBaseline: number }
  | { kind: 'run-state'; runId: string; state: 'running' | 'paused' | 'stopped' | 'finished' | 'failed'; error?: string }
  | { kind: 'reward'; runId: string; metrics: RewardMetrics }
  /** Work a run does before its first step (ZO-DPO scoring every train pair with the start model). */
  | { kind: 'run-progress'; runId: string; phase: string; done: number; total: number }
  /** The run diverged or saturated (stop: the loop stopped it) or its loss is climbing. */
  | { kind: 'run-warning'; runId: string; warning: RunWarning }
  | { kind: 'generated-token'; requestId: string; sequence: number; token: number; text: string }
  | { kind: 'device-lost'; message: string }
  /** Influence work (vectors, query vectors, trajectory replay): done of total units, time left;
   *  the first event of a computation (done 0) carries its cost. */
  | { kind: 'influence-progress'; requestId: string; phase: 'vectors' | 'query' | 'trajectory'; done: number; total: number; secondsLeft: number | null; cost?: InfluenceCost };

export interface WeightFile {
  name: string;
  bytes: Uint8Array;
}

export interface MemoryEstimate {
  weightsBytes: number;
  activationBytes: number;
  trainingExtraBytes: number;
  totalBytes: number;
  /** What the adapter allows in one buffer and in total as far as WebGPU tells. */
  maxBufferBytes: number;
  fits: boolean;
  advice?: string;
}

export interface TaskSummary {
  name: string;
  type: string;
  splits: Record<string, number>;
  /** Per-row validation problems, e.g. {split: 'train', row: 12, message: 'missing field text'}. */
  problems: { split: string; row: number; message: string }[];
}

/** The loss along a direction: L(theta + a * d) for the offsets a (the ZO dynamics view). */
export interface LossCurve {
  offsets: number[];
  losses: number[];
  direction: 'perturbation' | 'last-update';
  /** The step whose direction was probed (0-based, as StepMetrics.step). */
  step: number;
  /** The train rows measured (0-based indices into the train split). */
  rows: number[];
  /** 'step': that step's own batch, so a = ±ε gives the step's L₊ / L₋; 'first': the first
   *  train rows (the step's batch is not known, e.g. it was made before a resume). */
  batch: 'step' | 'first';
}

/** Training-data influence (src/engine/influence/): a query, either a row of a split or typed text. */
export type InfluenceQuery =
  | { split: string; row: number }
  /** `prompt`: the rendered prompt text; `answer`: on a classification task one of its label
   *  words (the candidates are scored as for a row), otherwise the text scored with the LM loss. */
  | { prompt: string; answer: string };

/** What the influence vectors are of: hex sha-256 digests of the model's files, of the weights
 *  (the base model, or the held run's config and record up to its steps done) and of the task. */
export interface InfluenceKey {
  model: string;
  weights: string;
  task: string;
}

export interface InfluenceRequest {
  /** Names this computation in 'influence-progress' events and in cancelInfluence. */
  requestId: string;
  /** Seeded directions z_k (k = 0..K-1); default 256. */
  k: number;
  /** Per-tensor block directions: each trainable tensor gets its own K directions (vectors of
   *  K x tensors numbers), so scores can be normalised per tensor as RapidIn does. */
  blocks?: boolean;
  /** The parameters the directions span: the held run's trainable set when the engine holds a run;
   *  otherwise a fresh trainable set of this config's tuning mode on the loaded weights. */
  config: TrainConfig;
  /** Philox key of the directions (default 0) and the finite-difference step (default 1e-3). */
  seed?: number;
  eps?: number;
}

/** The work of one vectors computation, reported before it starts. */
export interface InfluenceCost {
  rows: number;
  k: number;
  /** Numbers per row: K, or K x tensors with block directions. */
  dims: number;
  /** Trainable tensors (blocks) the directions span. */
  tensors: number;
  parameters: number;
  /** Passes over the trainable weights (one per perturbation; 2K, or 2K x tensors with blocks). */
  perturbationPasses: number;
  /** Batched forward passes (2K x ceil(rows / batch), x tensors with blocks). */
  forwards: number;
  batch: number;
  /** Bytes of the f16 cache file (rows x dims x 2 + rows x 4 scales + header). */
  cacheBytes: number;
  /** Extra GPU bytes while computing: the weights' snapshot (restored exactly after each direction). */
  scratchBytes: number;
}

export interface InfluenceVectorsInfo {
  key: InfluenceKey;
  k: number;
  seed: number;
  eps: number;
  /** Tensor names in vector order when block directions were used; null: whole-model directions. */
  blocks: string[] | null;
  /** Train rows (indices into the task's train split, in order). */
  rows: number;
  dims: number;
  cost: InfluenceCost;
  /** Wall-clock seconds the computation took (0 for an imported file). */
  seconds: number;
}

/** The vectors computed or imported, with the cache file's bytes (the app stores them in IndexedDB). */
export interface InfluenceVectorsResult extends InfluenceVectorsInfo {
  /** The versioned cache file (influence/cacheFile.ts): importInfluenceVectors reads it back. */
  bytes: Uint8Array;
}

export interface InfluenceScore {
  /** 0-based index into the train split as the engine holds it (rows too long for the model skipped). */
  row: number;
  /** 0-based index of that row in the task's train rows as given to setTask (the task table's row). */
  sourceRow: number;
  score: number;
}

export interface InfluenceRanking {
  query: InfluenceQuery;
  /** The query's loss at the current weights ((L+ + L-)/2 over the directions). */
  queryLoss: number;
  /** Highest cosine similarity first: rows whose gradient points with the query's. */
  proponents: InfluenceScore[];
  /** Lowest (most negative) first. */
  opponents: InfluenceScore[];
  /** Every train row's score, in row order (the bar chart, the task table). */
  scores: Float32Array;
}

export interface InfluenceRankRequest {
  requestId: string;
  queries: InfluenceQuery[];
  /** Rows listed as proponents and as opponents (default 10). */
  top: number;
}

/** Trajectory attribution of a ZO run for one query (first order, exact per step). */
export interface TrajectoryAttribution {
  query: InfluenceQuery;
  steps: number;
  /** Each train row's contribution to the change of the query's loss: the sum over the steps it
   *  was sampled in of -lr (d_i / B) d_q. Negative lowers the query's loss (a proponent). */
  contributions: Float32Array;
  /** Rows that lowered the query's loss most (most negative first), and raised it most; rows the
   *  run sampled only (the others contributed 0). */
  proponents: InfluenceScore[];
  opponents: InfluenceScore[];
  /** Per step: predicted first-order change -lr g d_q and the actual change of L_q across it. */
  predicted: Float32Array;
  actual: Float32Array;
  /** Sums of predicted and actual, and their per-step correlation. */
  predictedTotal: number;
  actualTotal: number;
  correlation: number;
  /** The query's loss before the first and after the last step replayed. */
  lossBefore: number;
  lossAfter: number;
}

export interface TrajectoryRequest {
  requestId: string;
  query: InfluenceQuery;
  /** The run's record (a run file's record bytes) and its config. */
  record: Uint8Array;
  config: TrainConfig;
  /** Rows listed each way (default 10). */
  top: number;
}

/**
 * What the worker wraps. One instance per GPU device. Long operations report through
 * `subscribe`; every method rejects with a typed error (see src/engine/gpu/errors.ts and
 * the loader's errors) whose message tells the user what to do.
 */
export interface EngineApi {
  adapterReport(): Promise<AdapterReport>;
  estimateMemory(request: LoadModelRequest): Promise<MemoryEstimate>;
  loadModel(request: LoadModelRequest): Promise<ModelSummary>;
  setTask(task: TaskInput): Promise<TaskSummary>;
  evaluate(split: string, limit: number): Promise<EvalMetrics>;
  /** Starts (or, with resumeFrom, continues) a run; resolves when it stops, pauses or finishes.
   *  `maxSteps`: pause after this many more steps (the app's Step once passes 1). */
  train(runId: string, config: TrainConfig, resumeFrom?: Uint8Array, maxSteps?: number): Promise<void>;
  pause(runId: string): void;
  stop(runId: string): void;
  /** The compact replayable record of a run (seeds and projected gradients). */
  runRecord(runId: string): Promise<Uint8Array>;
  /** The run's trained weights: a PEFT adapter (LoRA), sparse deltas, or model.safetensors (full). */
  exportWeights(runId: string): Promise<WeightFile[]>;
  lossAlongDirection(direction: LossCurve['direction'], span: number, points: number): Promise<LossCurve>;
  /** Learns per-block perturbation variances for the model and config.mode on the task's first
   *  train batch (forward passes only; the weights are left as they were). Ends the current run. */
  learnBlockScales(config: TrainConfig): Promise<BlockScaleProfile>;
  memory(): Promise<{ ledger: LedgerSnapshot; inferenceBaseline: number }>;
  /** Samples continuations with the current weights (a run's adapters included), streaming
   *  'generated-token' events (one per token, `requestId` naming the request). */
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** The key influence vectors of the current model, weights and task would have (the app looks up its cache with it). */
  influenceKey(config: TrainConfig): Promise<InfluenceKey>;
  /** Every train row's vector of directional derivatives at the current weights; never changes
   *  the weights. Reports 'influence-progress'; cancelInfluence rejects it with 'cancelled'. */
  influenceVectors(request: InfluenceRequest): Promise<InfluenceVectorsResult>;
  /** Loads a cache file made by influenceVectors; refused when its key is not the current one. */
  importInfluenceVectors(bytes: Uint8Array, config: TrainConfig): Promise<InfluenceVectorsInfo>;
  /** Ranks the train rows for each query against the vectors computed or imported last. */
  influenceRank(request: InfluenceRankRequest): Promise<InfluenceRanking[]>;
  /** Replays a ZO run with the query evaluated at every step's theta_t +- eps z_t. */
  influenceTrajectory(request: TrajectoryRequest): Promise<TrajectoryAttribution>;
  cancelInfluence(requestId: string): void;
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

/** The EngineApi methods a request can name (everything but `subscribe`). */
export type EngineMethod = Exclude<keyof EngineApi, 'subscribe'>;
