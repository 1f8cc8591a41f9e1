// The source of one pool thread, as a string so it starts the same way everywhere: a Blob URL
// in a browser, `new Worker(source, { eval: true })` in Node, with no bundler entry point.
// It instantiates the kernel module over the shared memory, then loops: wait for the job
// generation to move (Atomics.wait on the control block), run its share of the job, count
// itself done. The control block layout is CTRL in pool.ts.
export const POOL_WORKER_SOURCE = `
'use strict';
const nodePort = typeof require === 'function' ? require('node:worker_threads').parentPort : null;
const onFirstMessage = (fn) => nodePort ? nodePort.once('message', fn) : (self.onmessage = (e) => fn(e.data));
const post = (m) => nodePort ? nodePort.postMessage(m) : self.postMessage(m);
onFirstMessage(async ({ module, memory, ctrlPtr, names, index, threads }) => {
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, { env: { memory, abort() { throw new Error('wasm abort'); } } });
  } catch (e) {
    post({ error: String(e && e.message || e) });
    return;
  }
  const fns = names.map((n) => instance.exports[n]);
  const ctrl = new Int32Array(memory.buffer, ctrlPtr, 64);
  const args = new Float64Array(memory.buffer, ctrlPtr + 128, 24);
  // The generation is read before 'ready': the first job can bump it as soon as the caller hears
  // 'ready', and a thread that read it later would wait for the job after that one (a deadlock).
  let gen = Atomics.load(ctrl, 0);
  post({ ready: true });
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, 0) === gen && spins < 4000) spins++;
    Atomics.wait(ctrl, 0, gen);
    gen = Atomics.load(ctrl, 0);
    if (ctrl[10] !== 0) return;
    const total = ctrl[4], grain = ctrl[5], units = Math.ceil(total / grain), per = Math.ceil(units / threads);
    const lo = Math.min(total, index * per * grain), hi = Math.min(total, (index + 1) * per * grain);
    if (lo < hi) {
      const a = Array.from(args.subarray(0, ctrl[3]));
      a.push(lo, hi);
      if (ctrl[8]) a.push(ctrl[6] + index * ctrl[7]);
      try { fns[ctrl[2]](...a); } catch (e) { Atomics.store(ctrl, 9, 1); }
    }
    if (Atomics.add(ctrl, 1, 1) === threads - 2) Atomics.notify(ctrl, 1);
  }
});
`;
