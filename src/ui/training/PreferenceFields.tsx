// The preference objectives' own knobs: DPO's β, and ZOPrO's sampling (k completions for each of
// `prompts` prompts per step), reward rule, KL penalty and direction mixing λ. Shown only for
// that objective; a config without the block shows (and on edit stores) the engine's defaults (src/engine/config).
import type { RewardRule, TrainConfig, ZoproOptions } from '../../engine/api';
import { DEFAULT_DPO, DEFAULT_ZOPRO, LAMBDA_SCHEDULES } from '../../engine/config';
import { setConfig } from '../../store/training/actions';
import { NumberField, SelectField, TextField } from '../Fields';

const RULES: { value: RewardRule['kind']; label: string }[] = [
  { value: 'length', label: 'Length (longer, up to a target)' },
  { value: 'keyword', label: 'Contains a keyword' },
  { value: 'regex', label: 'Matches a regular expression' },
];
const SCHEDULES = LAMBDA_SCHEDULES.map((value) => ({ value, label: value[0].toUpperCase() + value.slice(1) }));

/** Switching the rule's kind starts from that kind's example value (no field carries over). */
function ruleOfKind(kind: RewardRule['kind'], current: RewardRule): RewardRule {
  if (kind === current.kind) return current;
  if (kind === 'length') return { kind, target: 40 };
  if (kind === 'keyword') return { kind, keyword: 'plant' };
  return { kind, pattern: '^\\s*(a|an|the)\\b' }; // a definition that opens with an article
}

export function PreferenceFields({ config }: { config: TrainConfig }) {
  if (config.objective === 'dpo') {
    const dpo = config.dpo ?? DEFAULT_DPO;
    return (
      <div className="grid3">
        <NumberField label="DPO β" value={dpo.beta} min={0} hint="scale of the implicit reward" onChange={(beta) => setConfig({ dpo: { ...dpo, beta } })} />
      </div>
    );
  }
  if (config.objective !== 'zopro') return null;
  const z = config.zopro ?? DEFAULT_ZOPRO;
  const set = (patch: Partial<ZoproOptions>) => setConfig({ zopro: { ...z, ...patch } });
  const rule = z.reward;
  return (
    <>
      <p className="hint">Each step samples k completions for each of “prompts per step” train prompts; batch size and evaluation do not apply.</p>
      <div className="grid3">
        <NumberField label="Completions per prompt (k)" value={z.k} integer min={2} max={64} onChange={(k) => set({ k })} />
        <NumberField label="Prompts per step" value={z.prompts} integer min={1} max={256} onChange={(prompts) => set({ prompts })} />
        <NumberField label="Rollout max new tokens" value={z.maxNewTokens} integer min={1} max={1024} onChange={(maxNewTokens) => set({ maxNewTokens })} />
        <NumberField label="Rollout temperature" value={z.temperature} min={0} onChange={(temperature) => set({ temperature })} />
        <NumberField label="KL coefficient" value={z.klCoef} min={0} hint={config.mode === 'full' ? 'must be 0 in full mode (no frozen start model)' : 'penalty to the start model'} onChange={(klCoef) => set({ klCoef })} />
        <SelectField label="Reward rule" value={rule.kind} options={RULES} onChange={(kind) => set({ reward: ruleOfKind(kind, rule) })} />
        {rule.kind === 'length' && <NumberField label="Reward target length" value={rule.target} integer min={1} hint="characters for the full reward" onChange={(target) => set({ reward: { ...rule, target } })} />}
        {rule.kind === 'keyword' && <TextField label="Reward keyword" value={rule.keyword} onChange={(keyword) => set({ reward: { ...rule, keyword } })} />}
        {rule.kind === 'regex' && <TextField label="Reward pattern" value={rule.pattern} onChange={(pattern) => set({ reward: { ...rule, pattern } })} />}
        <NumberField label="λ start" value={z.lambda.start} min={0} max={1} hint="weight of the last update" onChange={(start) => set({ lambda: { ...z.lambda, start } })} />
        <NumberField label="λ end" value={z.lambda.end} min={0} max={1} onChange={(end) => set({ lambda: { ...z.lambda, end } })} />
        <SelectField label="λ schedule" value={z.lambda.schedule} options={SCHEDULES} onChange={(schedule) => set({ lambda: { ...z.lambda, schedule } })} />
      </div>
    </>
  );
}
