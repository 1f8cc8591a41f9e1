// The fake engine with influence methods that behave like the engine's as far as the app can
// tell: a key that changes when `weights` does, vectors computed in `k` progress steps (optionally
// held until released or cancelled), a cache file that carries its key and is refused under
// other weights, a ranking that needs vectors, and a trajectory attribution. Row scores are a
// fixed function of the row (score = cos(row + query)), so tests know the order to expect.
import type { InfluenceKey, InfluenceQuery, InfluenceRankRequest, InfluenceRanking, InfluenceRequest, InfluenceScore, InfluenceVectorsInfo, InfluenceVectorsResult, TrainConfig, TrajectoryAttribution, TrajectoryRequest } from '../../src/engine/api';
import { FakeEngine } from './fakeEngine';

const typed = (kind: string, message: string) => Object.assign(new Error(message), { kind });

export class InfluenceFake extends FakeEngine {
  weights = 'w0';
  rows = 6;
  /** Hold influenceVectors after its first progress event until release() or cancelInfluence. */
  hold = false;
  private held: InfluenceKey | null = null;
  private pending: { requestId: string; resolve: () => void; reject: (e: Error) => void } | null = null;

  key(): InfluenceKey {
    return { model: 'model-hash', weights: this.weights, task: 'task-hash' };
  }

  release(): void {
    this.pending?.resolve();
  }

  async influenceKey(config: TrainConfig): Promise<InfluenceKey> {
    this.calls.push({ method: 'influenceKey', args: [config.mode] });
    return this.key();
  }

  async influenceVectors(request: InfluenceRequest): Promise<InfluenceVectorsResult> {
    this.calls.push({ method: 'influenceVectors', args: [request] });
    const cost = { rows: this.rows, k: request.k, dims: request.k, tensors: 1, parameters: 10, perturbationPasses: 2 * request.k, forwards: 2 * request.k, batch: 8, cacheBytes: this.rows * request.k * 2 + 64, scratchBytes: 40 };
    const progress = (done: number) => this.emit({ kind: 'influence-progress', requestId: request.requestId, phase: 'vectors', done, total: request.k, secondsLeft: request.k - done, cost: done === 0 ? cost : undefined });
    progress(0);
    if (this.hold) {
      await new Promise<void>((resolve, reject) => (this.pending = { requestId: request.requestId, resolve, reject }));
      this.pending = null;
    }
    for (let d = 1; d <= request.k; d++) progress(d);
    const key = this.key();
    this.held = key;
    return { key, k: request.k, seed: request.seed ?? 0, eps: 1e-3, blocks: null, rows: this.rows, dims: request.k, cost, seconds: 2, bytes: new TextEncoder().encode(JSON.stringify({ key, k: request.k })) };
  }

  async importInfluenceVectors(bytes: Uint8Array, config: TrainConfig): Promise<InfluenceVectorsInfo> {
    this.calls.push({ method: 'importInfluenceVectors', args: [config.mode] });
    const file = JSON.parse(new TextDecoder().decode(bytes)) as { key: InfluenceKey; k: number };
    if (file.key.weights !== this.weights) throw typed('vectors-mismatch', 'These influence vectors are of other weights; compute them again.');
    this.held = file.key;
    const cost = { rows: this.rows, k: file.k, dims: file.k, tensors: 1, parameters: 10, perturbationPasses: 0, forwards: 0, batch: 8, cacheBytes: bytes.byteLength, scratchBytes: 0 };
    return { key: file.key, k: file.k, seed: 0, eps: 1e-3, blocks: null, rows: this.rows, dims: file.k, cost, seconds: 0 };
  }

  async influenceRank(request: InfluenceRankRequest): Promise<InfluenceRanking[]> {
    this.calls.push({ method: 'influenceRank', args: [request] });
    if (!this.held || this.held.weights !== this.weights) throw typed('no-vectors', 'Compute the influence vectors first.');
    return request.queries.map((query) => {
      const scores = this.scores(query);
      const order = [...scores.keys()].sort((a, b) => scores[b] - scores[a]);
      const pick = (rows: number[]): InfluenceScore[] => rows.slice(0, request.top).map((row) => ({ row, sourceRow: row, score: scores[row] }));
      return { query, queryLoss: 0.5, proponents: pick(order), opponents: pick([...order].reverse()), scores };
    });
  }

  async influenceTrajectory(request: TrajectoryRequest): Promise<TrajectoryAttribution> {
    this.calls.push({ method: 'influenceTrajectory', args: [request] });
    const contributions = this.scores(request.query).map((s) => -s / 100);
    const order = [...contributions.keys()].sort((a, b) => contributions[a] - contributions[b]);
    const pick = (rows: number[]): InfluenceScore[] => rows.slice(0, request.top).map((row) => ({ row, sourceRow: row, score: contributions[row] }));
    const predicted = Float32Array.from([-0.01, -0.02, 0.005]);
    const actual = Float32Array.from([-0.012, -0.018, 0.004]);
    return { query: request.query, steps: 3, contributions, proponents: pick(order), opponents: pick([...order].reverse()), predicted, actual, predictedTotal: -0.025, actualTotal: -0.026, correlation: 0.99, lossBefore: 0.7, lossAfter: 0.674 };
  }

  cancelInfluence(requestId: string): void {
    this.calls.push({ method: 'cancelInfluence', args: [requestId] });
    if (this.pending?.requestId === requestId) this.pending.reject(typed('cancelled', 'Cancelled.'));
  }

  private scores(query: InfluenceQuery): Float32Array {
    const shift = 'row' in query ? query.row : query.prompt.length;
    return Float32Array.from({ length: this.rows }, (_, row) => Math.cos(row + shift));
  }
}
