// The model panel: where the weights come from, at what precision, what that costs in GPU memory
// on this adapter (asked before loading), and loading progress.
import type { WeightPrecision } from '../../engine/api';
import { hubRepoIdProblem } from '../../engine/model/loaders/hubRepoId';
import { loadModel, setModelField } from '../../store/model/actions';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/state';
import { ErrorBox, NumberField, Panel, SelectField, TextField } from '../Fields';
import { count } from '../format';
import { CacheList } from './CacheList';
import { FilePicker } from './FilePicker';
import { LoadProgressBar } from './LoadProgressBar';
import { MemoryEstimateView } from './MemoryEstimateView';
import { SuggestedModels } from './SuggestedModels';

const SOURCES = [
  { value: 'demo', label: 'Built-in demo model (offline)' },
  { value: 'hub', label: 'Hugging Face Hub' },
  { value: 'files', label: 'Local folder or .gguf file' },
] as const;

export function ModelPanel() {
  const s = useStudio(
    useShallow((st) => ({
      adapter: st.adapter,
      modelStatus: st.modelStatus,
      engineStatus: st.engineStatus,
      sourceKind: st.sourceKind,
      hubRepo: st.hubRepo,
      hubRevision: st.hubRevision,
      hubToken: st.hubToken,
      precision: st.precision,
      maxSeqLen: st.maxSeqLen,
      modelError: st.modelError,
      summary: st.summary,
    })),
  );
  const f16 = s.adapter?.features.f16 ?? false;
  const precisions: { value: WeightPrecision; label: string; disabled?: boolean }[] = [
    { value: 'f32', label: 'f32 — full precision' },
    { value: 'f16', label: f16 ? 'f16 — half precision' : 'f16 — not supported by this GPU', disabled: !f16 },
    { value: 'q8', label: 'q8 — 8-bit weights' },
    { value: 'q4', label: 'q4 — 4-bit weights (smallest)' },
  ];
  const busy = s.modelStatus === 'loading';
  const ready = s.engineStatus === 'ready';
  return (
    <Panel title="1 · Model">
      <fieldset className="radio-row" disabled={busy}>
        <legend>Source</legend>
        {SOURCES.map((o) => (
          <label key={o.value} className="radio">
            <input type="radio" name="model-source" value={o.value} checked={s.sourceKind === o.value} onChange={() => setModelField('sourceKind', o.value)} />
            {o.label}
          </label>
        ))}
      </fieldset>
      {s.sourceKind === 'demo' && <p className="hint">A 3.9 M-parameter Llama pretrained on WordNet definitions; ships with the app, needs no download.</p>}
      {s.sourceKind === 'hub' && (
        <div className="grid2">
          <TextField label="Hub repository" value={s.hubRepo} placeholder="owner/model" hint={s.hubRepo.trim() ? (hubRepoIdProblem(s.hubRepo) ?? undefined) : undefined} onChange={(v) => setModelField('hubRepo', v)} />
          <TextField label="Revision" value={s.hubRevision} placeholder="main" onChange={(v) => setModelField('hubRevision', v)} />
          <TextField label="Access token" type="password" value={s.hubToken} placeholder="hf_… (gated models only)" autoComplete="off" hint="Kept in memory only: never saved, never in a shared link." onChange={(v) => setModelField('hubToken', v)} />
        </div>
      )}
      {s.sourceKind === 'hub' && <SuggestedModels />}
      {s.sourceKind === 'files' && <FilePicker />}
      <div className="grid2">
        <SelectField label="Weight precision" value={s.precision} options={precisions} disabled={busy} onChange={(v) => setModelField('precision', v)} />
        <NumberField label="Max sequence length" value={s.maxSeqLen} integer min={16} max={8192} onChange={(v) => setModelField('maxSeqLen', v)} />
      </div>
      <MemoryEstimateView />
      <div className="button-row">
        <button type="button" className="primary" disabled={!ready || busy} onClick={() => void loadModel()}>
          {busy ? 'Loading…' : s.modelStatus === 'ready' ? 'Reload model' : 'Load model'}
        </button>
      </div>
      {busy && <LoadProgressBar />}
      <ErrorBox error={s.modelError}>
        {s.modelError?.kind === 'gpu-out-of-memory' && <p>Try q4 weights, a smaller batch, or a shorter max sequence length.</p>}
      </ErrorBox>
      {s.summary && s.modelStatus === 'ready' && (
        <dl className="facts" aria-label="Loaded model">
          <dt>Loaded</dt>
          <dd data-testid="model-name">{s.summary.name}</dd>
          <dt>Parameters</dt>
          <dd>{count(s.summary.parameters)}</dd>
          <dt>Shape</dt>
          <dd>
            {s.summary.layers} layers · hidden {s.summary.hidden} · {s.summary.heads} heads ({s.summary.kvHeads} KV) · vocab {s.summary.vocab}
          </dd>
          <dt>Precision</dt>
          <dd>{s.summary.precision}</dd>
          <dt>Tokenizer</dt>
          <dd data-testid="tokenizer-source">{s.summary.tokenizerSource}</dd>
        </dl>
      )}
      {s.summary && s.modelStatus === 'ready' && s.summary.warnings?.map((w) => (
        <p key={w} className="warn" role="status" data-testid="model-warning">
          {w}
        </p>
      ))}
      <CacheList />
    </Panel>
  );
}
