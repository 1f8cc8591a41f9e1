// The engine's methods are declared once (src/engine/apiMethods.ts): every EngineApi method round
// trips through the client, the wire and the handler with its arguments intact, and a typed
// engine state error reaches the main thread with its kind (what the app switches on).
import { describe, expect, it } from 'vitest';
import type { EngineMethod, TrainConfig } from '../../src/engine/api';
import { ENGINE_METHODS, argsOf, payloadOf } from '../../src/engine/apiMethods';
import { DEFAULT_TRAIN_CONFIG } from '../../src/engine/config';
import { EngineStateError } from '../../src/engine/defs/engineError';
import { EngineClient, EngineError } from '../../src/worker/client';
import { METHODS } from '../../src/worker/protocol';
import { FakeEngine } from './fakeEngine';
import { loopback } from './loopback';

const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, steps: 2 };
/** Arguments for each method, as the app passes them. */
const ARGS: { [M in EngineMethod]: unknown[] } = {
  adapterReport: [],
  estimateMemory: [{ source: { kind: 'demo' }, precision: 'q8', maxBatch: 4, maxSeqLen: 32 }],
  loadModel: [{ source: { kind: 'demo' }, precision: 'f32', maxBatch: 4, maxSeqLen: 32 }],
  setTask: [{ spec: { name: 't', type: 'classification', prompt_template: '{text}' }, splits: { train: [{ text: 'a' }] } }],
  evaluate: ['dev', 8],
  train: ['r1', config, new Uint8Array([7, 7]), 5],
  pause: ['r1'],
  stop: ['r1'],
  runRecord: ['r1'],
  exportWeights: ['r1'],
  lossAlongDirection: ['last-update', 3, 5],
  learnBlockScales: [config],
  memory: [],
  generate: [{ requestId: 'g', prompts: ['x'], maxNewTokens: 1, temperature: 0, topK: 0, topP: 1, seed: 0, chat: false }],
  influenceKey: [config],
  influenceVectors: [{ requestId: 'i1', k: 8, config, blocks: true }],
  importInfluenceVectors: [new Uint8Array([1, 2]), config],
  influenceRank: [{ requestId: 'i2', queries: [{ split: 'dev', row: 0 }, { prompt: 'a cat is', answer: ' animal' }], top: 3 }],
  influenceTrajectory: [{ requestId: 'i3', query: { split: 'dev', row: 1 }, record: new Uint8Array([3]), config, top: 5 }],
  cancelInfluence: ['i1'],
};

describe('the engine method table', () => {
  it('lists every method the protocol serves, and payloads map back to the same arguments', () => {
    expect([...METHODS].sort()).toEqual(Object.keys(ARGS).sort());
    for (const method of Object.keys(ENGINE_METHODS) as EngineMethod[]) {
      expect(argsOf(method, payloadOf(method, ARGS[method])), method).toEqual(ARGS[method].length ? ARGS[method] : []);
    }
    expect(payloadOf('train', ['r', config, undefined, undefined])).toEqual({ runId: 'r', config }); // absent arguments are left out
  });

  it('every method reaches the engine through the client with its arguments', async () => {
    const engine = new FakeEngine();
    const client = new EngineClient(loopback(engine));
    const training = client.train('r1', config, new Uint8Array([7, 7]), 5);
    for (const method of METHODS.filter((m) => m !== 'train' && m !== 'stop' && m !== 'pause')) {
      await (client[method] as (...args: unknown[]) => Promise<unknown>)(...ARGS[method]);
    }
    await client.pause('r1');
    await training;
    await client.stop('r1');
    const calls = new Map(engine.calls.map((c) => [c.method, c.args]));
    for (const method of METHODS) {
      // The fake engine notes learnBlockScales by its config's mode only.
      const noted = calls.get(method)!;
      const expected = method === 'learnBlockScales' ? [config.mode] : ARGS[method].slice(0, noted.length);
      expect(noted.slice(0, expected.length), method).toEqual(expected);
    }
  });

  it('a typed engine state error arrives with its kind', async () => {
    const engine = new FakeEngine();
    const client = new EngineClient(loopback(engine));
    engine.failNextWith = new EngineStateError('not-current-run', 'run r9 is not the engine\'s current run');
    const failure = await client.exportWeights('r9').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(EngineError);
    expect((failure as EngineError).kind).toBe('not-current-run');
    expect((failure as EngineError).name).toBe('EngineStateError');
  });
});
