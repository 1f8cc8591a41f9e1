// The training panel: presets, the optimizer's knobs, and run controls with live speed.
import type { OptimizerName, Objective, TuningMode } from '../../engine/api';
import { PRESETS } from '../../store/defaults';
import { applyPreset, setConfig } from '../../store/actions/training';
import { useStudio } from '../../store/state';
import { NumberField, Panel, SelectField } from '../Fields';
import { PreferenceFields } from './PreferenceFields';
import { RunControls } from './RunControls';
import { FullSubsetFields } from './FullSubsetFields';
import { BlockScalesFields } from './BlockScalesFields';

const MODES: { value: TuningMode; label: string }[] = [
  { value: 'full', label: 'Full (every weight)' },
  { value: 'lora', label: 'LoRA adapters' },
  { value: 'sparse', label: 'Sparse (most sensitive weights)' },
];
const OPTIMIZERS: { value: OptimizerName; label: string }[] = [
  { value: 'zo-sgd', label: 'ZO-SGD (MeZO)' },
  { value: 'zo-sgd-sign', label: 'ZO-SGD, sign of gradient' },
  { value: 'zo-sgd-momentum', label: 'ZO-SGD with momentum' },
  { value: 'zo-sgd-cons', label: 'ZO-SGD, conservative' },
  { value: 'zo-adam', label: 'ZO-Adam' },
];
const OBJECTIVES: Record<string, { value: Objective; label: string }[]> = {
  classification: [
    { value: 'classification', label: 'Cross-entropy over label words' },
    { value: 'neg-accuracy', label: 'Negative accuracy (non-differentiable)' },
  ],
  preference: [
    { value: 'dpo', label: 'DPO' },
    { value: 'zopro', label: 'ZO preference (ZOPrO)' },
  ],
  generation: [{ value: 'lm', label: 'Language-model loss' }],
};

export function TrainingPanel() {
  const config = useStudio((s) => s.config);
  const preset = useStudio((s) => s.preset);
  const taskType = useStudio((s) => s.parsed?.spec.type ?? 'classification');
  const running = useStudio((s) => (s.activeRunId ? s.runs[s.activeRunId]?.meta.state === 'running' : false));
  const presetInfo = PRESETS.find((p) => p.name === preset);
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
          <SelectField label="Optimizer" value={config.optimizer} options={OPTIMIZERS} onChange={(optimizer) => setConfig({ optimizer })} />
        </div>
        <SelectField label="Objective" value={config.objective} options={OBJECTIVES[taskType] ?? OBJECTIVES.classification} onChange={(objective) => setConfig({ objective })} />
        <PreferenceFields config={config} />
        <div className="grid3">
          <NumberField label="Learning rate" value={config.lr} min={0} onChange={(lr) => setConfig({ lr })} />
          <NumberField label="Epsilon (ε)" value={config.eps} min={0} onChange={(eps) => setConfig({ eps })} />
          <NumberField label="Batch size" value={config.batch} integer min={1} max={1024} onChange={(batch) => setConfig({ batch })} />
          <NumberField label="Steps" value={config.steps} integer min={1} max={10_000_000} onChange={(steps) => setConfig({ steps })} />
          <NumberField label="Perturbations q" value={config.q} integer min={1} max={64} onChange={(q) => setConfig({ q })} />
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
              options={[
                { value: 'magnitude', label: 'Weight magnitude' },
                { value: 'activation', label: 'Activation-aware' },
                { value: 'random', label: 'Random (baseline)' },
              ]}
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
