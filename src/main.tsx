// Entry: render the app, then check for WebGPU, start the engine worker, restore saved runs,
// preselect the demo task, and apply a shared configuration link if the URL carries one.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { boot } from './store/model/actions';
import { restoreRuns } from './store/runs/actions';
import { selectTask } from './store/task/actions';
import { applySharedUrl } from './store/training/actions';
import { getState } from './store/state';
import './ui/styles.css';
import { restoreBlockProfiles } from './store/training/blockScales';
import { restoreUploads } from './store/task/upload';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

void (async () => {
  await restoreRuns();
  await restoreBlockProfiles();
  await restoreUploads();
  await boot();
  if (location.hash.includes('config=')) await applySharedUrl(location.hash);
  if (!getState().parsed) await selectTask(getState().taskChoice);
})();
