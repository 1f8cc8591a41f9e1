// The training panel: presets, the optimizer's knobs, and run controls with live speed.
import {
  OBJECTIVE_LABELS, OBJECTIVES_BY_TASK_TYPE, OPTIMIZER_LABELS, OPTIMIZER_NAMES, PRESETS, SPARSE_SCORE_LABELS, SPARSE_SCORES, TUNING_MODE_LABELS, TUNING_MODES,
  settingsFixedBy,
} from '../../engine/config';
import type { Objective } from '../../engine/api';
import { applyPreset, setConfig } from '../../store/training/actions';
import { useStudio } from '../../store/state';
import { NumberField, Panel, SelectField } from '../Fields';
import { PreferenceFields } from './PreferenceFields';
import { RunControls } from './RunControls';
import { FullSubsetFields } from './FullSubsetFields';
import { BlockScalesFields } from './BlockScalesFields';

// The choices and their labels come from the engine's one list of each (src/engine/config/options.ts).
const labelled = <T extends string>(values: readonly T[], labels: Record<T, string>) => values.map((value) => ({ value, label: labels[value] }));
const MODES = labelled(TUNING_MODES, TUNING_MODE_LABELS);
const OPTIMIZERS = labelled(OPTIMIZER_NAMES, OPTIMIZER_LABELS);
const OBJECTIVES: Record<string, { value: Objective; label: string }[]> = Object.fromEntries(
  Object.entries(OBJECTIVES_BY_TASK_TYPE).map(([type, objectives]) => [type, labelled(objectives, OBJECTIVE_LABELS)]),
);
const SPARSE_SCORE_OPTIONS = labelled(SPARSE_SCORES, SPARSE_SCORE_LABELS);

export function TrainingPanel() {
  const config = useStudio((s) => s.config);
  const preset = useStudio((s) => s.preset);
  const taskType = useStudio((s) => s.parsed?.spec.type ?? 'classification');
  const running = useStudio((s) => (s.activeRunId ? s.runs[s.activeRunId]?.meta.state === 'running' : false));
  const presetInfo = PRESETS.find((p) => p.name === preset);
  // What the objective fixes is not offered (ZOPrO: ZOPRO_STEP, which the engine would refuse to change).
  const fixed = settingsFixedBy(config.objective);
  const offered = (setting: keyof typeof config) => !fixed.includes(setting);
  return (
    <Panel title="3 · Training">
      <div className="button-row" role="group" aria-label="Presets">
        {PRESETS.filter((p) => !p.taskType || p.taskType === taskType).map((p) => (
          <button key={p.name} type="button" aria-pressed={preset === p.name} disabled={running} onClick={() => applyPreset(p.name)}>
            {p.name}
          </button>
        ))}
      </div>
      {presetInfo && <p className="hint">{presetInfo.description}</p>}
      <fieldset disabled={running} className="plain">
        <div className="grid2">
          <SelectField label="Mode" value={config.mode} options={MODES} onChange={(mode) => setConfig({ mode })} />
          {offered('optimizer') && <SelectField label="Optimizer" value={config.optimizer} options={OPTIMIZERS} onChange={(optimizer) => setConfig({ optimizer })} />}
        </div>
        <SelectField label="Objective" value={config.objective} options={OBJECTIVES[taskType] ?? OBJECTIVES.classification} onChange={(objective) => setConfig({ objective })} />
        <PreferenceFields config={config} />
        <div className="grid3">
          <NumberField label="Learning rate" value={config.lr} min={0} onChange={(lr) => setConfig({ lr })} />
          <NumberField label="Epsilon (ε)" value={config.eps} min={0} onChange={(eps) => setConfig({ eps })} />
          <NumberField label="Batch size" value={config.batch} integer min={1} max={1024} onChange={(batch) => setConfig({ batch })} />
          <NumberField label="Steps" value={config.steps} integer min={1} max={10_000_000} onChange={(steps) => setConfig({ steps })} />
          {offered('q') && <NumberField label="Perturbations q" value={config.q} integer min={1} max={64} onChange={(q) => setConfig({ q })} />}
          <NumberField label="Seed" value={config.seed} integer min={0} onChange={(seed) => setConfig({ seed })} />
          <NumberField label="Eval every" value={config.evalEvery} integer min={0} hint="steps; 0 = never" onChange={(evalEvery) => setConfig({ evalEvery })} />
          <NumberField label="Eval rows" value={config.evalLimit} integer min={0} hint="dev rows; 0 = all" onChange={(evalLimit) => setConfig({ evalLimit })} />
        </div>
        {config.mode === 'full' && <FullSubsetFields />}
        {config.mode === 'lora' && config.lora && (
          <div className="grid3">
            <NumberField label="LoRA rank" value={config.lora.rank} integer min={1} max={256} onChange={(rank) => setConfig({ lora: { ...config.lora!, rank } })} />
            <NumberField label="LoRA alpha" value={config.lora.alpha} min={0} onChange={(alpha) => setConfig({ lora: { ...config.lora!, alpha } })} />
          </div>
        )}
        {config.mode === 'sparse' && config.sparse && (
          <div className="grid3">
            <NumberField label="Fraction of weights trained" value={config.sparse.fraction} min={0} max={1} onChange={(fraction) => setConfig({ sparse: { ...config.sparse!, fraction } })} />
            <SelectField
              label="Sensitivity score"
              value={config.sparse.score}
              options={SPARSE_SCORE_OPTIONS}
              onChange={(score) => setConfig({ sparse: { ...config.sparse!, score } })}
            />
          </div>
        )}
      </fieldset>
      <fieldset disabled={running} className="plain">
        <BlockScalesFields />
      </fieldset>
      <RunControls />
    </Panel>
  );
}
