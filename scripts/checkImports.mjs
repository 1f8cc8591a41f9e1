// `npm run lint:imports` (part of `npm test`): the import graph of src/ has no circle, the engine
// imports nothing from the app (ui, store, worker) or the CLI, and the engine's layers point one
// way (LAYERS below). Reads import specifiers with a regex; type-only imports count too, since a
// circle of types is still a circle of design. Plain Node, no dependencies: well under a second.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * The engine's layers, lowest first. A folder may import its own layer and the layers below; `api`
 * (types crossing the worker boundary) may be imported by any layer as types only. Folders of one
 * layer may import each other unless listed in APART.
 */
export const LAYERS = [
  ['config', 'defs', 'files', 'apiMethods.ts'], // pure definitions: option lists and defaults, quant format, ZO script/config, RNG, loss plan; typed errors for user files
  ['gpu', 'cpu', 'wasm'], // kernels: WebGPU, their CPU references, the WebAssembly SIMD twins
  ['backends'], // the CPU backend (the CPU kernels behind gpu/backend.ts's interface) and the choice of backend
  ['data', 'model'], // tasks, tokenizer, the model and its loaders
  ['zo'], // the ZO step plan, record and replay
  ['training'], // tuning modes, scorer, trainer
  ['session', 'preference', 'generation', 'influence'], // runs (ZO, ZO-DPO, ZOPrO) and sampling with a KV cache, over a loaded model
  ['engine.ts'], // the worker's EngineApi
];
/** Same-layer pairs that must not import each other (GPU code and its CPU reference stay separate). */
export const APART = [['gpu', 'cpu']];
/** Where the engine may not reach (it runs in a Web Worker and in Node, without React or the app). */
export const ENGINE_FORBIDDEN = ['src/ui', 'src/store', 'src/worker', 'src/cli', 'src/rephrase', 'src/selftest', 'src/main.tsx'];

export function listSources(dir) {
  const out = [];
  (function walk(p) {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else if (/\.tsx?$/.test(p)) out.push(p);
  })(dir);
  return out;
}

function resolveSpec(from, spec) {
  if (!spec.startsWith('.')) return { external: spec.split('/')[0] };
  const base = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  for (const c of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return { file: c };
  return { file: base };
}

/** file -> [{ target file or external package, typeOnly }] for every .ts/.tsx file under `root`. */
export function importGraph(root) {
  const graph = new Map();
  for (const f of listSources(root)) {
    const edges = [];
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      edges.push({ ...resolveSpec(f, spec), typeOnly: /^\s*[\n;]?\s*(import|export)\s+type\s/.test(m[0]) });
    }
    graph.set(f, edges);
  }
  return graph;
}

/** Every strongly connected set of more than one file (Tarjan), each as a list of files. */
export function findCycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const idx = new Map();
  const low = new Map();
  const cycles = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const { file: w } of graph.get(v) ?? []) {
      if (!w || !graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).some((e) => e.file === v)) cycles.push(scc);
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

/** The engine folder (or top-level file) a path under src/engine belongs to, else null. */
function engineUnit(engineDir, file) {
  const rel = relative(engineDir, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '.ts') : parts[0];
}

/** Human-readable violations of the layer rules and of the engine's isolation from the app. */
export function layerViolations(repoRoot, graph) {
  const engineDir = join(repoRoot, 'src', 'engine');
  const rank = new Map(LAYERS.flatMap((units, i) => units.map((u) => [u, i])));
  const apart = (a, b) => APART.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  const problems = [];
  for (const [from, edges] of graph) {
    const unit = engineUnit(engineDir, from);
    if (unit === null) continue;
    for (const e of edges) {
      const where = relative(repoRoot, from);
      if (e.external) {
        if (['react', 'react-dom', 'zustand', 'recharts'].includes(e.external)) problems.push(`${where} imports ${e.external}: the engine has no UI`);
        continue;
      }
      const target = relative(repoRoot, e.file);
      if (ENGINE_FORBIDDEN.some((p) => target === p || target.startsWith(`${p}/`) || target.startsWith(`${p}.`))) {
        problems.push(`${where} imports ${target}: the engine imports nothing from the app or the CLI`);
        continue;
      }
      const to = engineUnit(engineDir, e.file);
      if (to === null || to === unit) continue;
      if (to === 'api.ts') {
        if (!e.typeOnly) problems.push(`${where} imports api.ts at run time: api.ts holds types only (import type)`);
        continue;
      }
      if (unit === 'api.ts') {
        if (!e.typeOnly) problems.push(`api.ts imports ${target} at run time`);
        continue;
      }
      const a = rank.get(unit);
      const b = rank.get(to);
      if (a === undefined) problems.push(`${where}: src/engine/${unit} is in no layer (add it to LAYERS in scripts/checkImports.mjs)`);
      else if (b === undefined) problems.push(`${where} imports ${target}: src/engine/${to} is in no layer`);
      else if (b > a) problems.push(`${where} imports ${target}: ${unit} (layer ${a}) may not import ${to} (layer ${b})`);
      else if (apart(unit, to)) problems.push(`${where} imports ${target}: ${unit} and ${to} stay apart`);
    }
  }
  return problems;
}

export function checkImports(repoRoot) {
  const graph = importGraph(join(repoRoot, 'src'));
  const cycles = findCycles(graph).map((c) => `import circle: ${c.map((f) => relative(repoRoot, f)).join(' -> ')}`);
  return [...cycles, ...layerViolations(repoRoot, graph)];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkImports(root);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`\n${problems.length} import problem(s); see scripts/checkImports.mjs for the rules.`);
    process.exit(1);
  }
  console.log('imports: no circle in src/, engine layers point one way, the engine imports nothing from the app');
}
