// A plain static host that ignores Range (answers 200 with the whole file, as
// `python3 -m http.server` does): the demo model loads from it, read whole from the probe's own
// response (one GET for the weights), and equals the file bit for bit. A server that honours
// Range is still read by ranges (hub.test.ts), and a file too large to hold in memory is refused
// with a message that names the cause. Tolerance: none (bit equality).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../src/engine/api';
import { MAX_WHOLE_BODY_BYTES, openHttpSource } from '../../src/engine/model/loaders/httpSource';
import { resolveModel } from '../../src/engine/model/loaders/resolveModel';
import { DEMO_MODEL, REPO_ROOT } from '../helpers/paths';
import { startStaticServer, type StaticServer } from '../helpers/staticServer';
import { openSafetensors } from '../../src/engine/model/loaders/safetensors';
import { nodeFolder } from '../../src/engine/model/loaders/nodeFileSource';
import { expectBitEqual } from './bitEqual';

describe('a static host without Range support', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await startStaticServer(join(REPO_ROOT, 'public'), { ranges: false });
  });
  afterAll(() => server?.close());

  it('loads the demo model whole, equal to the file, with progress to the last byte', async () => {
    const progress: LoadProgress[] = [];
    const r = await resolveModel(
      { kind: 'url', url: `${server.url}demo-model` },
      { cache: null, onProgress: (p) => progress.push(p) },
    );
    const rawConfig = JSON.parse(readFileSync(join(DEMO_MODEL, 'config.json'), 'utf8'));
    const local = await openSafetensors(rawConfig, [(await nodeFolder(DEMO_MODEL).open('model.safetensors'))!]);
    expect(r.reader.tensors.size).toBe(local.tensors.size);
    for (const name of local.tensors.keys()) expectBitEqual(await r.reader.readF32(name), await local.readF32(name), name);
    const weightRequests = server.requests.filter((q) => q.path.endsWith('model.safetensors'));
    expect(weightRequests).toEqual([{ path: '/demo-model/model.safetensors', range: 'bytes=0-0', status: 200 }]);
    const size = readFileSync(join(DEMO_MODEL, 'model.safetensors')).byteLength;
    const weights = progress.filter((p) => p.file === 'model.safetensors');
    expect(weights.at(-1)).toMatchObject({ loadedBytes: size, totalBytes: size, phase: 'download' });
  });

  it('refuses a file too large to hold in memory, saying the host needs byte ranges', async () => {
    const huge = String(MAX_WHOLE_BODY_BYTES + 1);
    const fetch = async () => new Response(new ReadableStream({ start: (c) => c.close() }), { status: 200, headers: { 'content-length': huge } });
    await expect(openHttpSource('http://host/model.safetensors', 'model.safetensors', { fetch })).rejects.toThrow(/ignores Range requests.*too large to read whole.*supports byte ranges/);
  });
});
