// The worker protocol in Node: handleRequest against an EngineApi test double, and the
// main-thread client wired to it through an in-memory port (no browser, no GPU).
import { describe, expect, it } from 'vitest';
import { forwardEvents, handleRequest } from '../../src/worker/handler';
import { EngineClient, EngineError, type WorkerPort } from '../../src/worker/client';
import { transferablesOf, type WorkerMessage } from '../../src/worker/protocol';
import type { TrainConfig } from '../../src/engine/api';
import { FakeEngine, oomError } from './fakeEngine';

function collector() {
  const sent: { message: WorkerMessage; transfer: Transferable[] }[] = [];
  return { sent, post: (message: WorkerMessage, transfer: Transferable[]) => sent.push({ message, transfer }) };
}

const config: TrainConfig = {
  mode: 'full', optimizer: 'zo-sgd', objective: 'classification', steps: 10, lr: 1e-4, eps: 1e-3, batch: 16, q: 1, seed: 0,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 5, evalSplit: 'dev', evalLimit: 64,
};

describe('handleRequest', () => {
  it('answers a request with a response carrying the same id and the engine result', async () => {
    const engine = new FakeEngine();
    const { sent, post } = collector();
    await handleRequest(engine, { kind: 'evaluate', id: 7, payload: { split: 'dev', limit: 32 } }, post);
    expect(engine.calls).toEqual([{ method: 'evaluate', args: ['dev', 32] }]);
    expect(sent).toHaveLength(1);
    expect(sent[0].message).toEqual({ kind: 'response', id: 7, payload: { method: 'evaluate', result: { step: 0, split: 'dev', accuracy: 0.5, loss: 0.69, n: 32 } } });
  });

  it('passes every method through to the engine', async () => {
    const engine = new FakeEngine();
    const { sent, post } = collector();
    await handleRequest(engine, { kind: 'adapterReport', id: 1, payload: null }, post);
    await handleRequest(engine, { kind: 'estimateMemory', id: 2, payload: { source: { kind: 'demo' }, precision: 'q8', maxBatch: 16, maxSeqLen: 64 } }, post);
    await handleRequest(engine, { kind: 'loadModel', id: 3, payload: { source: { kind: 'demo' }, precision: 'f32', maxBatch: 16, maxSeqLen: 64 } }, post);
    await handleRequest(engine, { kind: 'setTask', id: 4, payload: { spec: { name: 't', type: 'classification', prompt_template: '{text}' }, splits: { train: [{ text: 'a' }] } } }, post);
    await handleRequest(engine, { kind: 'lossAlongDirection', id: 5, payload: { direction: 'perturbation', span: 2, points: 5 } }, post);
    await handleRequest(engine, { kind: 'memory', id: 6, payload: null }, post);
    expect(engine.calls.map((c) => c.method)).toEqual(['adapterReport', 'estimateMemory', 'loadModel', 'setTask', 'lossAlongDirection', 'memory']);
    expect(sent.map((s) => [s.message.kind, s.message.id])).toEqual([1, 2, 3, 4, 5, 6].map((id) => ['response', id]));
    const setTask = sent[3].message;
    expect(setTask.kind === 'response' && setTask.payload.method === 'setTask' && setTask.payload.result.splits).toEqual({ train: 1 });
  });

  it('turns a typed engine error into an error message with its kind and message', async () => {
    const engine = new FakeEngine();
    engine.failNextWith = oomError();
    const { sent, post } = collector();
    await handleRequest(engine, { kind: 'loadModel', id: 9, payload: { source: { kind: 'demo' }, precision: 'f32', maxBatch: 1, maxSeqLen: 8 } }, post);
    expect(sent).toHaveLength(1);
    const msg = sent[0].message;
    expect(msg.kind).toBe('error');
    expect(msg.id).toBe(9);
    if (msg.kind !== 'error') throw new Error('unreachable');
    expect(msg.payload.errorKind).toBe('gpu-out-of-memory');
    expect(msg.payload.name).toBe('GpuOutOfMemoryError');
    expect(msg.payload.message).toMatch(/q4/);
  });

  it('reports an untyped failure as kind internal and an unknown request as kind protocol', async () => {
    const engine = new FakeEngine();
    engine.failNextWith = new Error('boom');
    const { sent, post } = collector();
    await handleRequest(engine, { kind: 'memory', id: 1, payload: null }, post);
    await handleRequest(engine, { kind: 'selfDestruct', id: 2, payload: null }, post);
    expect(sent.map((s) => s.message)).toEqual([
      { kind: 'error', id: 1, payload: { errorKind: 'internal', name: 'Error', message: 'boom' } },
      { kind: 'error', id: 2, payload: expect.objectContaining({ errorKind: 'protocol' }) },
    ]);
  });

  it('transfers the run record buffer instead of copying it', async () => {
    const engine = new FakeEngine();
    const { sent, post } = collector();
    await handleRequest(engine, { kind: 'runRecord', id: 3, payload: { runId: 'r1' } }, post);
    expect(sent[0].transfer).toEqual([engine.record.buffer]);
  });

  it('answers exportWeights with named files whose bytes are transferred', async () => {
    const engine = new FakeEngine();
    const { sent, post } = collector();
    await handleRequest(engine, { kind: 'exportWeights', id: 4, payload: { runId: 'r1' } }, post);
    const message = sent[0].message as { kind: string; payload: { result: { name: string; bytes: Uint8Array }[] } };
    expect(message.kind).toBe('response');
    expect(message.payload.result.map((f) => f.name)).toEqual(['adapter_model.safetensors']);
    expect(sent[0].transfer).toEqual([message.payload.result[0].bytes.buffer]);
  });

  it('serves pause while train is still pending, and answers train when the run pauses', async () => {
    const engine = new FakeEngine();
    const { sent, post } = collector();
    const training = handleRequest(engine, { kind: 'train', id: 1, payload: { runId: 'r', config } }, post);
    await Promise.resolve();
    expect(sent).toHaveLength(0);
    await handleRequest(engine, { kind: 'pause', id: 2, payload: { runId: 'r' } }, post);
    await training;
    expect(sent.map((s) => [s.message.kind, s.message.id])).toEqual([['response', 2], ['response', 1]]);
  });

  it('serves generate: the token events stream before the response with the full text', async () => {
    const engine = new FakeEngine();
    const { sent, post } = collector();
    const off = forwardEvents(engine, post);
    const request = { requestId: 'g1', prompts: ['Define "dog":'], maxNewTokens: 2, temperature: 0, topK: 0, topP: 1, seed: 0, chat: false };
    await handleRequest(engine, { kind: 'generate', id: 11, payload: request }, post);
    off();
    expect(engine.calls).toEqual([{ method: 'generate', args: [request] }]);
    expect(sent.map((s) => s.message)).toEqual([
      { kind: 'event', id: 0, payload: { kind: 'generated-token', requestId: 'g1', sequence: 0, token: 5, text: ' a' } },
      { kind: 'event', id: 0, payload: { kind: 'generated-token', requestId: 'g1', sequence: 0, token: 6, text: ' dog' } },
      { kind: 'response', id: 11, payload: { method: 'generate', result: { texts: [' a dog'], finish: ['length'] } } },
    ]);
  });

  it('forwards engine events as event messages until unsubscribed', () => {
    const engine = new FakeEngine();
    const { sent, post } = collector();
    const off = forwardEvents(engine, post);
    const step = { step: 1, lossPlus: 1, lossMinus: 0.9, loss: 0.95, projectedGrad: 50, lr: 1e-4, seed: 3, millis: 20 };
    const entry = new Uint8Array(16);
    engine.emit({ kind: 'step', runId: 'r', metrics: step, entry });
    engine.emit({ kind: 'device-lost', message: 'gone' });
    off();
    engine.emit({ kind: 'device-lost', message: 'after unsubscribe' });
    expect(sent.map((s) => s.message)).toEqual([
      { kind: 'event', id: 0, payload: { kind: 'step', runId: 'r', metrics: step, entry } },
      { kind: 'event', id: 0, payload: { kind: 'device-lost', message: 'gone' } },
    ]);
  });
});

describe('transferablesOf', () => {
  it('finds whole buffers, skips views of part of a buffer', () => {
    const whole = new Uint8Array(8);
    const part = new Uint8Array(new ArrayBuffer(16), 4, 4);
    const raw = new ArrayBuffer(2);
    expect(transferablesOf({ a: whole, b: part, c: [raw, raw], d: 1 })).toEqual([whole.buffer, raw]);
  });
});

/** A port that runs the client's messages through handleRequest, as the worker would. */
function loopback(engine: FakeEngine): { port: WorkerPort; transferred: Transferable[][] } {
  const transferred: Transferable[][] = [];
  let listener: ((event: MessageEvent) => void) | null = null;
  const deliver = (message: WorkerMessage) => queueMicrotask(() => listener?.({ data: structuredClone(message) } as MessageEvent));
  forwardEvents(engine, (m) => deliver(m));
  const port: WorkerPort = {
    postMessage(message: unknown, transfer: Transferable[]) {
      transferred.push(transfer);
      void handleRequest(engine, message, (m) => deliver(m));
    },
    addEventListener(type: string, l: (event: never) => void) {
      if (type === 'message') listener = l as (event: MessageEvent) => void;
    },
    terminate() {},
  };
  return { port, transferred };
}

describe('EngineClient over the handler', () => {
  it('resolves results, delivers events and rejects with EngineError carrying the kind', async () => {
    const engine = new FakeEngine();
    const { port, transferred } = loopback(engine);
    const client = new EngineClient(port);
    const events: string[] = [];
    client.subscribe((e) => events.push(e.kind));
    const summary = await client.loadModel({ source: { kind: 'demo' }, precision: 'q4', maxBatch: 16, maxSeqLen: 64 });
    expect(summary.precision).toBe('q4');
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toEqual(['load-progress']);

    engine.failNextWith = oomError();
    const failure = await client.memory().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(EngineError);
    expect((failure as EngineError).kind).toBe('gpu-out-of-memory');

    const resume = new Uint8Array([9, 9]);
    const run = client.train('r', config, resume);
    expect(transferred.at(-1)).toEqual([resume.buffer]);
    await client.stop('r');
    await run;
    expect(Array.from(await client.runRecord('r'))).toEqual([1, 2, 3, 4, 5]);
  });
});
