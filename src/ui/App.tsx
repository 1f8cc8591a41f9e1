// The page: controls on the left (model, task, training), what happens on the right (curves,
// ZO dynamics, runs); or the presentation layout (one screen for a projector). Without WebGPU
// the whole page explains how to get it.
import { useEffect } from 'react';
import { useStudio } from '../store/state';
import { Banners } from './Banners';
import { Charts } from './charts/Charts';
import { DynamicsView } from './dynamics/DynamicsView';
import { GeneratePanel } from './generate/GeneratePanel';
import { Header } from './Header';
import { ModelPanel } from './model/ModelPanel';
import { NoWebGpu } from './NoWebGpu';
import { PresentationView } from './present/PresentationView';
import { RephrasePanel } from './rephrase/RephrasePanel';
import { RunsPanel } from './runs/RunsPanel';
import { TaskPanel } from './task/TaskPanel';
import { TrainingPanel } from './training/TrainingPanel';

export function App() {
  const engineStatus = useStudio((s) => s.engineStatus);
  const engineError = useStudio((s) => s.engineError);
  const theme = useStudio((s) => s.theme);
  const presentation = useStudio((s) => s.presentation);
  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
  }, [theme]);
  if (engineStatus === 'no-webgpu') return <NoWebGpu detail={engineError?.message} />;
  if (presentation) return <PresentationView />;
  return (
    <div className="app">
      <Header />
      <Banners />
      <main className="layout">
        <div className="controls">
          <ModelPanel />
          <TaskPanel />
          <TrainingPanel />
          <GeneratePanel />
        </div>
        <div className="views">
          <Charts />
          <DynamicsView />
          <RunsPanel />
          <RephrasePanel />
        </div>
      </main>
    </div>
  );
}
