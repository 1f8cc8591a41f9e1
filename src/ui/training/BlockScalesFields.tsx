// Learned block variances (ZO Fine-tuner style): learn once for this model and tuning mode, then
// tick the box to perturb each tensor by its own scale instead of MeZO's isotropic z.
import { currentProfile, learnBlockScales, toggleBlockScales } from '../../store/training/blockScales';
import { useStudio } from '../../store/state';
import { ErrorBox } from '../Fields';

export function BlockScalesFields() {
  const config = useStudio((s) => s.config);
  const learning = useStudio((s) => s.learningScales);
  const error = useStudio((s) => s.scalesError);
  const modelReady = useStudio((s) => s.modelStatus === 'ready');
  const taskType = useStudio((s) => s.parsed?.spec.type);
  useStudio((s) => s.blockProfiles); // re-render when a profile is learned or restored
  const profile = currentProfile();
  const zopro = config.objective === 'zopro';
  const canLearn = modelReady && taskType !== 'preference' && !learning;
  const scales = profile?.blocks.map((b) => b.scale) ?? [];
  return (
    <div className="block-scales" data-testid="block-scales">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={config.blockScales !== undefined}
          disabled={!profile || zopro}
          onChange={(e) => toggleBlockScales(e.target.checked)}
        />
        Use learned block variances (ZO Fine-tuner)
      </label>
      <button type="button" disabled={!canLearn} onClick={() => void learnBlockScales()}>
        {learning ? 'Learning block variances…' : profile ? 'Learn again' : 'Learn for this model and mode'}
      </button>
      <p className="hint">
        {profile
          ? `${scales.length} block${scales.length === 1 ? '' : 's'}, scales ${Math.min(...scales).toFixed(2)}–${Math.max(...scales).toFixed(2)}, learned on ${profile.task} (${profile.rows} rows × ${profile.probes} probes); reused on any task.`
          : 'One scale per tensor from its gradient energy and curvature, measured with forward passes on the first training batch: learned once per model and mode.'}
        {taskType === 'preference' && !profile && ' Learn them on a classification or text task, then use them here.'}
        {zopro && ' ZOPrO does not use them yet.'}
      </p>
      <ErrorBox error={error} />
    </div>
  );
}
