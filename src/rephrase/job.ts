// The rephrase job: rewrites the selected rows through the rewriter, has the judge check each
// rewrite, persists every row after every paid answer (so a reload resumes and never pays
// twice), runs `concurrency` rows at once, and can be cancelled. A UI panel subscribes to its
// events; the CLI drives the same object.
import { ChatClient, addUsage, ZERO_USAGE, type Usage } from './client';
import { resolveConfig, type RephraseConfig, type RephraseConfigInput } from './config';
import { redactStrings } from './endpoint';
import { EndpointError } from './errors';
import { buildRephrasedTask, gateStats, type GateStats } from './gate';
import { MalformedOutput, parseRewrite, parseVerdict } from './parse';
import { promptVariables, renderTemplate } from './prompts';
import { defaultFields, sameRow, selectRows, type RowRecord } from './rows';
import { SerialWrites, type KeyValueStore } from './storage';
import type { Task } from '../engine/data/task';

export type JobStatus = 'idle' | 'running' | 'cancelling' | 'cancelled' | 'done' | 'error';

export interface JobProgress extends GateStats {
  /** Rows rewritten and waiting for the judge. */
  awaitingJudge: number;
  inFlight: number;
  requests: number;
  usage: { rewriter: Usage; judge: Usage; total: Usage };
}

export type RephraseEvent =
  | { kind: 'status'; status: JobStatus; error?: string }
  | { kind: 'row'; row: RowRecord }
  | { kind: 'progress'; progress: JobProgress }
  | { kind: 'retry'; rowKey: string; stage: 'rewrite' | 'judge'; attempt: number; delayMs: number; message: string };

export interface RephraseJobOptions {
  task: Task;
  /** Where the job persists its meta and rows; never receives the key. */
  store: KeyValueStore;
  config: RephraseConfigInput;
  /** Runtime only: sent as Bearer to the rewriter endpoint; never stored. */
  apiKey?: string;
  /** Runtime only: the judge's key when it differs from the rewriter's. */
  judgeApiKey?: string;
  fetch?: typeof fetch;
  random?: () => number;
}

/** What the job stores under the key "meta". */
export interface JobMeta {
  version: 1;
  taskName: string;
  config: RephraseConfig;
  createdAt: string;
  updatedAt: string;
}

export class RephraseJob {
  private readonly rowList: RowRecord[];
  private readonly byKey = new Map<string, RowRecord>();
  private readonly listeners = new Set<(e: RephraseEvent) => void>();
  private readonly writes: SerialWrites;
  private controller: AbortController | null = null;
  private running: Promise<JobProgress> | null = null;
  private inFlight = 0;
  private state: JobStatus = 'idle';
  private fatal: string | undefined;

  private constructor(
    readonly task: Task,
    readonly config: RephraseConfig,
    store: KeyValueStore,
    private readonly options: RephraseJobOptions,
    rows: RowRecord[],
  ) {
    this.writes = new SerialWrites(store);
    this.rowList = rows;
    for (const r of rows) this.byKey.set(r.key, r);
  }

  /** Opens the job stored in `store` for this task (resuming its rows), or a new one. */
  static async open(options: RephraseJobOptions): Promise<RephraseJob> {
    const input = { ...options.config };
    const fields = input.fields?.length ? input.fields : defaultFields(options.task.spec, options.task.splits[(input.splits ?? ['train'])[0]!]?.[0]);
    if (fields.length === 0) throw new Error('No text field to rewrite: set the fields option (e.g. ["text"]).');
    const config = resolveConfig({ ...input, fields });
    const meta = await options.store.get<JobMeta>('meta');
    if (meta && meta.taskName !== options.task.spec.name) {
      throw new Error(`This storage holds a rephrase job for task "${meta.taskName}", not "${options.task.spec.name}". Use another output folder or clear it.`);
    }
    const rows = selectRows(options.task, config.splits, config.fields, config.limit);
    const stored = await Promise.all(rows.map((r) => options.store.get<RowRecord>(`row/${r.key}`)));
    const merged = rows.map((fresh, i) => (stored[i] && sameRow(stored[i]!, fresh) ? stored[i]! : fresh));
    const now = new Date().toISOString();
    await options.store.set('meta', { version: 1, taskName: options.task.spec.name, config, createdAt: meta?.createdAt ?? now, updatedAt: now } satisfies JobMeta);
    return new RephraseJob(options.task, config, options.store, options, merged);
  }

  get status(): JobStatus {
    return this.state;
  }

  /** The message of the endpoint failure that stopped the job (status 'error'). */
  get error(): string | undefined {
    return this.fatal;
  }

  rows(): readonly RowRecord[] {
    return this.rowList;
  }

  row(key: string): RowRecord | undefined {
    return this.byKey.get(key);
  }

  progress(): JobProgress {
    let rewriter = { ...ZERO_USAGE };
    let judge = { ...ZERO_USAGE };
    let requests = 0;
    let awaitingJudge = 0;
    for (const r of this.rowList) {
      rewriter = addUsage(rewriter, r.usage.rewriter);
      judge = addUsage(judge, r.usage.judge);
      requests += r.requests;
      if (r.status === 'rewritten') awaitingJudge++;
    }
    return { ...gateStats(this.rowList), awaitingJudge, inFlight: this.inFlight, requests, usage: { rewriter, judge, total: addUsage(rewriter, judge) } };
  }

  subscribe(listener: (e: RephraseEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs every unfinished row; resolves when all are done, on cancel, or on an endpoint failure. */
  start(): Promise<JobProgress> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops new requests and aborts those in flight; their rows stay resumable. */
  cancel(): void {
    if (this.state !== 'running') return;
    this.setStatus('cancelling');
    this.controller?.abort();
  }

  /** The user's review decision for a row with a rewrite (null clears it). */
  async setOverride(key: string, value: 'accept' | 'reject' | null): Promise<void> {
    const row = this.byKey.get(key);
    if (!row) throw new Error(`No row ${key}`);
    if (!row.rewrite) throw new Error(`Row ${key} has no rewrite to accept or reject.`);
    if (value === null) delete row.override;
    else row.override = value;
    await this.persist(row);
  }

  /** Puts failed rows back in the queue (a rewrite already paid for is kept). */
  async retryFailed(): Promise<number> {
    const failed = this.rowList.filter((r) => r.status === 'failed');
    for (const row of failed) {
      row.status = row.rewrite ? 'rewritten' : 'pending';
      delete row.error;
      await this.persist(row);
    }
    this.emitProgress();
    return failed.length;
  }

  rephrasedTask(): Task {
    return buildRephrasedTask(this.task, this.rowList, this.config.mode);
  }

  private async run(): Promise<JobProgress> {
    this.controller = new AbortController();
    this.fatal = undefined;
    this.setStatus('running');
    const queue = this.rowList.filter((r) => r.status === 'pending' || r.status === 'rewritten');
    const worker = async (): Promise<void> => {
      while (this.state === 'running') {
        const row = queue.shift();
        if (!row) return;
        this.inFlight++;
        try {
          await this.processRow(row);
        } finally {
          this.inFlight--;
          this.emitProgress();
        }
      }
    };
    await Promise.all(Array.from({ length: this.config.concurrency }, worker));
    await this.writes.settled();
    const final: JobStatus = this.fatal !== undefined ? 'error' : this.state === 'cancelling' ? 'cancelled' : 'done';
    this.setStatus(final, this.fatal);
    return this.progress();
  }

  /** A client for one row's stage, so its retries are reported (and counted) for that row. */
  private client(row: RowRecord, stage: 'rewrite' | 'judge'): ChatClient {
    const endpoint = stage === 'rewrite' ? this.config.rewriter : this.config.judge;
    const apiKey = stage === 'judge' && this.options.judgeApiKey !== undefined ? this.options.judgeApiKey : this.options.apiKey;
    return new ChatClient(
      { ...endpoint, apiKey },
      {
        ...this.config,
        fetch: this.options.fetch,
        random: this.options.random,
        onRetry: ({ attempt, delayMs, error }) => {
          row.requests++;
          this.emit({ kind: 'retry', rowKey: row.key, stage, attempt, delayMs, message: redactStrings(error.message, this.secrets()) });
        },
      },
    );
  }

  private async processRow(row: RowRecord): Promise<void> {
    try {
      if (row.status === 'pending') {
        const rewrite = await this.ask(row, 'rewrite', (c) => parseRewrite(c, this.config.fields));
        if (rewrite === undefined) return;
        row.rewrite = rewrite;
        row.status = 'rewritten';
        await this.persist(row);
      }
      if (row.status === 'rewritten' && this.state === 'running') {
        const verdict = await this.ask(row, 'judge', parseVerdict);
        if (verdict === undefined) return;
        row.verdict = verdict.verdict;
        row.reason = verdict.reason;
        row.status = 'judged';
        await this.persist(row);
      }
    } catch (err) {
      if (err instanceof EndpointError && err.kind === 'aborted') return;
      if (err instanceof EndpointError && err.fatal) {
        // The endpoint, not the row, is at fault: stop the job and leave the row resumable.
        return this.stopWithError(err.message);
      }
      row.status = 'failed';
      row.error = err instanceof Error ? err.message : String(err);
      try {
        await this.persist(row);
      } catch (storeErr) {
        this.stopWithError(`Could not save progress: ${storeErr instanceof Error ? storeErr.message : String(storeErr)}`);
      }
    }
  }

  private secrets(): (string | undefined)[] {
    return [this.options.apiKey, this.options.judgeApiKey];
  }

  private stopWithError(message: string): void {
    if (this.fatal === undefined) this.fatal = redactStrings(message, this.secrets());
    this.controller?.abort();
    if (this.state === 'running') this.setStatus('cancelling');
  }

  /** One stage for one row: requests until the answer parses (or retries run out: row fails). */
  private async ask<T>(row: RowRecord, stage: 'rewrite' | 'judge', parse: (content: string) => T): Promise<T | undefined> {
    const isRewrite = stage === 'rewrite';
    const client = this.client(row, stage);
    const template = isRewrite ? this.config.rewriterTemplate : this.config.judgeTemplate;
    const content = renderTemplate(template, promptVariables(this.task.spec, row, this.config.fields));
    const chat = { temperature: isRewrite ? this.config.rewriterTemperature : this.config.judgeTemperature, maxTokens: this.config.maxTokens, responseFormat: this.config.responseFormat, signal: this.controller!.signal };
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.config.malformedRetries; attempt++) {
      if (this.state !== 'running') return undefined;
      let answer: string;
      try {
        const result = await client.complete([{ role: 'user', content }], chat);
        row.requests++;
        const usage = isRewrite ? row.usage.rewriter : row.usage.judge;
        Object.assign(usage, addUsage(usage, result.usage));
        answer = result.content;
      } catch (err) {
        if (err instanceof EndpointError && err.kind !== 'aborted') row.requests++;
        if (err instanceof EndpointError && err.kind === 'malformed') {
          lastProblem = err.message;
          await this.persist(row);
          continue;
        }
        throw err;
      }
      try {
        return parse(answer);
      } catch (err) {
        if (!(err instanceof MalformedOutput)) throw err;
        lastProblem = err.message;
        await this.persist(row); // the tokens of this answer were paid for
      }
    }
    throw new Error(`${isRewrite ? 'Rewriter' : 'Judge'} output unusable after ${this.config.malformedRetries + 1} tries: ${lastProblem}`);
  }

  /** Writes one row (writes of one row land in order); emits the row event. */
  private persist(row: RowRecord): Promise<void> {
    // An endpoint may echo a key in any text it returns (a rewrite, a reason, an error body):
    // nothing that is stored, shown or exported keeps it.
    redactStrings(row, this.secrets());
    const snapshot = structuredClone(row);
    this.emit({ kind: 'row', row: snapshot });
    return this.writes.set(`row/${row.key}`, snapshot);
  }

  private setStatus(status: JobStatus, error?: string): void {
    this.state = status;
    this.emit(error === undefined ? { kind: 'status', status } : { kind: 'status', status, error });
  }

  private emitProgress(): void {
    this.emit({ kind: 'progress', progress: this.progress() });
  }

  /** A throwing listener (a UI bug) must not break the job, so its errors are only logged. */
  private emit(event: RephraseEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        console.error('rephrase: event listener failed', err);
      }
    }
  }
}
