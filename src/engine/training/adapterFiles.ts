// Reading trained weights back, validated before anything reaches the GPU: a PEFT LoRA adapter
// (adapter_config.json + adapter_model.safetensors) and sparse deltas (<weight>.indices +
// <weight>.values). Every name, shape and count is checked against the loaded model, and each
// problem is an InvalidFileError naming the file, the field or tensor, and what was expected:
// a missing lora_alpha, target_modules that match nothing, an option that changes the math
// (rsLoRA, DoRA), tensors the adapter config does not account for, fewer values than indices,
// duplicate indices, weight names the model does not have.
import { FieldReader } from '../files/fields';
import { InvalidFileError, parseJsonFile } from '../files/invalidFile';
import type { LlamaConfig } from '../model/config';
import { expectedTensors, listNames as list } from '../model/checkpointTensors';
import { readSafetensorsBytes } from '../model/safetensorsWriter';
import { LINEAR_HF_NAMES, type LinearName } from '../model/weights';
import { ALL_LINEARS, parseTargets } from './trainable';

export interface PeftConfig {
  r: number;
  lora_alpha: number;
  /** PEFT module names (q_proj, ...), one per projection the adapter trains. */
  target_modules: string[];
}

export interface PeftAdapter {
  config: PeftConfig;
  targets: LinearName[];
  /** `${layer}.${target}` -> A [r, in] and B [out, r], f32. */
  matrices: Map<string, { a: Float32Array; b: Float32Array }>;
}

const MODULE_NAMES = ALL_LINEARS.map((t) => LINEAR_HF_NAMES[t].split('.')[1]);

/** adapter_config.json: the fields ZO Studio applies, and refusals of the options it does not. */
export function parsePeftConfig(text: string, file: string): PeftConfig {
  const f = new FieldReader(file);
  const raw = f.object(parseJsonFile(text, file), 'the file');
  if (raw.peft_type !== undefined && raw.peft_type !== 'LORA') f.fail('peft_type', '"LORA" (ZO Studio reads LoRA adapters)', raw.peft_type);
  const r = f.integer(raw.r, 'r', 1);
  if (raw.lora_alpha === undefined) f.fail('lora_alpha', "a number (the adapter's scale is lora_alpha / r; PEFT writes it, its default is 8)", undefined);
  const alpha = f.number(raw.lora_alpha, 'lora_alpha');
  // Options that change what the adapter computes; applying it without them would be silently wrong.
  const off = (key: string, why: string, isOff: (v: unknown) => boolean) => {
    if (raw[key] !== undefined && raw[key] !== null && !isOff(raw[key])) f.fail(key, `${why} (ZO Studio applies plain LoRA, W + (lora_alpha / r) B A)`, raw[key]);
  };
  const empty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  off('use_rslora', 'false: rsLoRA scales by lora_alpha / sqrt(r)', (v) => v === false);
  off('use_dora', 'false: DoRA adds a magnitude vector', (v) => v === false);
  off('fan_in_fan_out', 'false: Conv1D-style transposed weights', (v) => v === false);
  off('bias', '"none": trained biases', (v) => v === 'none');
  off('rank_pattern', 'empty: per-module ranks', empty);
  off('alpha_pattern', 'empty: per-module alphas', empty);
  off('modules_to_save', 'empty: fully trained extra modules', empty);
  off('layers_to_transform', 'absent: an adapter on some layers only', empty);
  const expected = `a list of projection names (${MODULE_NAMES.join(', ')}) or "all-linear"`;
  const targetsRaw = raw.target_modules === 'all-linear' ? MODULE_NAMES : f.array(raw.target_modules, 'target_modules');
  if (!targetsRaw.length) f.fail('target_modules', expected, targetsRaw);
  const names = targetsRaw.map((t, i) => f.string(t, `target_modules[${i}]`));
  const unknown = names.filter((t) => !MODULE_NAMES.includes(t) && !(ALL_LINEARS as readonly string[]).includes(t));
  if (unknown.length) f.fail('target_modules', `${expected}; these match no projection of a Llama model`, unknown.join(', '));
  return { r, lora_alpha: alpha, target_modules: [...new Set(names)] };
}

/**
 * The adapter's matrices for `model`: every tensor named as PEFT writes it for a targeted
 * projection, A [r, in] and B [out, r] for every layer, nothing else in the file.
 */
export function readPeftAdapter(config: PeftConfig, bytes: Uint8Array, file: string, model: LlamaConfig): PeftAdapter {
  const targets = [...new Set(parseTargets(config.target_modules))];
  const tensors = readSafetensorsBytes(bytes, file);
  const shapes = expectedTensors(model);
  const matrices = new Map<string, { a: Float32Array; b: Float32Array }>();
  const used = new Set<string>();
  const missing: string[] = [];
  const tensor = (name: string, shape: number[]) => {
    const t = tensors.get(name);
    if (!t) {
      missing.push(name);
      return new Float32Array(0);
    }
    used.add(name);
    if (!(t.data instanceof Float32Array)) throw new InvalidFileError(file, `tensor ${name}`, 'floating point (F32, F16 or BF16)', t.dtype);
    if (t.shape.join('x') !== shape.join('x')) {
      throw new InvalidFileError(file, `tensor ${name}`, `shape [${shape}] (rank r = ${config.r} on this model's ${name.split('.').slice(-4, -2).join('.')})`, `shape [${t.shape}]`);
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InvalidFileError(file, `tensor ${name}[${bad}]`, 'a finite number', String(t.data[bad]));
    return t.data;
  };
  for (let layer = 0; layer < model.layers; layer++) {
    for (const target of targets) {
      const [out, inDim] = shapes.get(`model.layers.${layer}.${LINEAR_HF_NAMES[target]}.weight`)!;
      const prefix = `base_model.model.model.layers.${layer}.${LINEAR_HF_NAMES[target]}`;
      matrices.set(`${layer}.${target}`, { a: tensor(`${prefix}.lora_A.weight`, [config.r, inDim]), b: tensor(`${prefix}.lora_B.weight`, [out, config.r]) });
    }
  }
  const extra = [...tensors.keys()].filter((n) => !used.has(n));
  if (missing.length === targets.length * model.layers * 2) {
    throw new InvalidFileError(file, 'its tensors', `LoRA matrices for the target_modules (${config.target_modules.join(', ')}) of this ${model.layers}-layer model, e.g. ${missing[0]}`, extra.length ? `only ${list(extra)}` : 'no tensors');
  }
  if (missing.length) throw new InvalidFileError(file, list(missing), 'tensors the adapter config implies (a matrix pair per targeted projection and layer)', 'missing');
  if (extra.length) throw new InvalidFileError(file, list(extra), `no tensors beyond the LoRA matrices of target_modules ${config.target_modules.join(', ')} on layers 0-${model.layers - 1}`, 'present');
  return { config, targets, matrices };
}

export interface SparseDelta {
  /** Flat row * cols + col indices, ascending. */
  indices: Uint32Array;
  /** The trained value at each index, in the same order. */
  values: Float32Array;
}

/**
 * Sparse deltas (exportSparse's layout): per linear weight of the model, `<name>.indices` (I32 or
 * U32, distinct, inside the weight) and `<name>.values` (F32) of the same length. Returned sorted by
 * index, so the caller never has to match values by position.
 */
export function readSparseDeltas(bytes: Uint8Array, file: string, model: LlamaConfig): Map<string, SparseDelta> {
  const tensors = readSafetensorsBytes(bytes, file);
  const shapes = expectedTensors(model);
  const linears = new Set<string>();
  for (let layer = 0; layer < model.layers; layer++) for (const t of ALL_LINEARS) linears.add(`model.layers.${layer}.${LINEAR_HF_NAMES[t]}.weight`);
  const weights = new Set<string>();
  const strays: string[] = [];
  for (const name of tensors.keys()) {
    const m = /^(.*)\.(indices|values)$/.exec(name);
    if (m && linears.has(m[1])) weights.add(m[1]);
    else strays.push(name);
  }
  if (strays.length) {
    throw new InvalidFileError(file, list(strays), `only "<weight>.indices" and "<weight>.values" tensors for linear weights of this ${model.layers}-layer model (e.g. model.layers.0.self_attn.q_proj.weight.indices)`, 'present');
  }
  if (!weights.size) throw new InvalidFileError(file, 'its tensors', '"<weight>.indices" and "<weight>.values" pairs (a sparse deltas file)', 'none');
  const out = new Map<string, SparseDelta>();
  for (const name of weights) {
    const idx = tensors.get(`${name}.indices`);
    const val = tensors.get(`${name}.values`);
    if (!idx) throw new InvalidFileError(file, `${name}.indices`, `a tensor: ${name}.values needs the indices it applies to`, 'missing');
    if (!val) throw new InvalidFileError(file, `${name}.values`, `a tensor with one value per index of ${name}.indices`, 'missing');
    if (idx.dtype !== 'I32' && idx.dtype !== 'U32') throw new InvalidFileError(file, `${name}.indices`, 'I32 or U32 indices', idx.dtype);
    if (val.dtype !== 'F32') throw new InvalidFileError(file, `${name}.values`, 'F32 values', val.dtype);
    if (idx.shape.length !== 1 || val.shape.length !== 1) throw new InvalidFileError(file, `${name}.indices / .values`, 'one-dimensional tensors', `shapes [${idx.shape}] / [${val.shape}]`);
    if (idx.data.length !== val.data.length) throw new InvalidFileError(file, `${name}.values`, `${idx.data.length} values, one per index`, `${val.data.length} values`);
    const [rows, cols] = shapes.get(name)!;
    const size = rows * cols;
    const order = Array.from(idx.data.keys()).sort((x, y) => idx.data[x] - idx.data[y]);
    const indices = new Uint32Array(order.length);
    const values = new Float32Array(order.length);
    order.forEach((from, i) => {
      const flat = idx.data[from];
      if (!(flat >= 0 && flat < size)) throw new InvalidFileError(file, `${name}.indices[${from}]`, `an index from 0 to ${size - 1} (the weight is ${rows}x${cols})`, String(flat));
      if (i > 0 && flat === indices[i - 1]) throw new InvalidFileError(file, `${name}.indices`, 'distinct indices', `index ${flat} twice`);
      if (!Number.isFinite(val.data[from])) throw new InvalidFileError(file, `${name}.values[${from}]`, 'a finite number', String(val.data[from]));
      indices[i] = flat;
      values[i] = val.data[from];
    });
    out.set(name, { indices, values });
  }
  return out;
}
