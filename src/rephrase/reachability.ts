// In a browser a refused connection and a CORS refusal both reach the page as the same fetch
// TypeError. A `no-cors` request tells them apart: it skips the CORS check (its response is
// opaque), so it resolves whenever the server answers at all and rejects only when nothing does.

/** True when something answers HTTP at the origin of `baseUrl`; false when nothing does. */
export async function serverAnswers(fetchFn: typeof fetch, origin: string, timeoutMs = 5_000): Promise<boolean> {
  try {
    await fetchFn(`${origin}/`, { mode: 'no-cors', method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}
