// Offline and malformed Hub ids: a repository id of the wrong form is refused before any request;
// with no network, loading says once that the Hub cannot be reached, and never talks of a partial
// download when nothing was downloaded; a download cut after some bytes says they are kept.
import { describe, expect, it } from 'vitest';
import { InvalidRepoIdError, NetworkError, UnreachableError } from '../../src/engine/model/loaders/errors';
import { hubRepoIdProblem } from '../../src/engine/model/loaders/hubRepoId';
import { resolveModel } from '../../src/engine/model/loaders/resolveModel';

const offline = (calls: string[]) => async (url: string | URL | Request) => {
  calls.push(String(url));
  throw new TypeError('Failed to fetch');
};

describe('Hub repository ids', () => {
  it.each(['HuggingFaceTB/SmolLM2-135M', 'meta-llama/Llama-3.2-1B', 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', 'a/b', 'user_1/model.v2'])('accepts %s', (id) => {
    expect(hubRepoIdProblem(id)).toBeNull();
  });

  it.each([
    ['', /Enter a Hub repository id/],
    ['SmolLM2-135M', /exactly one "\/"/],
    ['a/b/c', /exactly one "\/"/],
    ['https://huggingface.co/a/b', /is a URL/],
    ['owner/-model', /model name "-model"/],
    ['own er/model', /owner "own er"/],
    ['owner/mo--del', /no "--"/],
    [`owner/${'x'.repeat(97)}`, /at most 96/],
  ])('refuses %j', (id, why) => {
    expect(hubRepoIdProblem(id)).toMatch(why);
  });

  it('resolveModel refuses a malformed id before any request', async () => {
    const calls: string[] = [];
    await expect(resolveModel({ kind: 'hub', repo: 'not a repo' }, { fetch: offline(calls), cache: null })).rejects.toBeInstanceOf(InvalidRepoIdError);
    expect(calls).toEqual([]);
  });
});

describe('offline', () => {
  it('says once that the Hub cannot be reached, with no word of a partial download', async () => {
    const calls: string[] = [];
    const err = (await resolveModel({ kind: 'hub', repo: 'HuggingFaceTB/SmolLM2-135M' }, { fetch: offline(calls), cache: null }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.message).toBe('Cannot reach the Hub (offline?): no answer from huggingface.co. Check the connection and load again.');
    expect(calls).toHaveLength(1);
  });

  it('a model URL names its host', async () => {
    const err = (await resolveModel({ kind: 'url', url: 'http://models.example:8080/demo' }, { fetch: offline([]), cache: null }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^Cannot reach models\.example:8080 \(offline\?\)/);
  });

  it('a broken download mentions resuming only when bytes were kept', () => {
    expect(new NetworkError('http://x/m', 'HTTP 500 Internal Server Error').message).not.toMatch(/resume/);
    expect(new NetworkError('http://x/m', 'the connection broke after 4096 bytes', 4096).message).toMatch(/the 4,096 bytes downloaded so far are kept and the download resumes from there/);
  });
});
