// OAT-Rephrase (arXiv 2506.17264): rewrite training rows through the user's own LLM endpoint
// with a rewriter that knows how MeZO estimates gradients, keep only what a judge finds
// faithful, review, then train on the result or A/B it against the original.
import { useEffect } from 'react';
import { useRephrase } from '../../store/rephrase/slice';
import { refreshSavedJobs } from '../../store/rephrase/actions';
import { initRephrase } from '../../store/rephrase/settings';
import { useStudio } from '../../store/state';
import { Panel } from '../Fields';
import { EndpointSettings } from './EndpointSettings';
import { JobControls } from './JobControls';
import { PromptSettings } from './PromptSettings';
import { RephrasedTask } from './RephrasedTask';
import { ReviewTable } from './ReviewTable';
import './rephrase.css';

export function RephrasePanel() {
  const taskName = useStudio((s) => s.parsed?.spec.name);
  const status = useRephrase((s) => s.jobStatus);
  const busy = status === 'running' || status === 'cancelling';
  useEffect(() => {
    void initRephrase();
  }, []);
  useEffect(() => {
    void refreshSavedJobs(taskName);
  }, [taskName]);
  return (
    <Panel title="OAT-Rephrase: rewrite training data with an LLM">
      <div className="rephrase">
        <p className="explain">
          A rewriter model, told how zeroth-order training estimates gradients from two loss values, rephrases each training row to be clearer and label-consistent; a judge keeps only
          rewrites with the same meaning and label. Rejected and failed rows keep their original.
        </p>
        <EndpointSettings disabled={busy} />
        <PromptSettings disabled={busy} />
        <JobControls />
        <ReviewTable />
        <RephrasedTask />
      </div>
    </Panel>
  );
}
