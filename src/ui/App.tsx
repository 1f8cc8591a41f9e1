// The page: controls on the left (model, task, training), what happens on the right (curves,
// ZO dynamics, runs); or the presentation layout (one screen for a projector). Without WebGPU
// the app runs on the CPU backend under a banner that says how to get it. Each panel has its own error boundary: one that fails
// to render shows its error, never a blank page.
import { useEffect } from 'react';
import { useStudio } from '../store/state';
import { Banners } from './Banners';
import { Charts } from './charts/Charts';
import { DynamicsView } from './dynamics/DynamicsView';
import { GeneratePanel } from './generate/GeneratePanel';
import { Header } from './Header';
import { InfluenceView } from './influence/InfluenceView';
import { ModelPanel } from './model/ModelPanel';
import { PanelBoundary } from './PanelBoundary';
import { PresentationView } from './present/PresentationView';
import { RephrasePanel } from './rephrase/RephrasePanel';
import { RunsPanel } from './runs/RunsPanel';
import { TaskPanel } from './task/TaskPanel';
import { TrainingPanel } from './training/TrainingPanel';

export function App() {
  const theme = useStudio((s) => s.theme);
  const presentation = useStudio((s) => s.presentation);
  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
  }, [theme]);
  if (presentation) return <PresentationView />;
  return (
    <div className="app">
      <Header />
      <Banners />
      <main className="layout">
        <div className="controls">
          <PanelBoundary label="The model panel">
            <ModelPanel />
          </PanelBoundary>
          <PanelBoundary label="The task panel">
            <TaskPanel />
          </PanelBoundary>
          <PanelBoundary label="The training panel">
            <TrainingPanel />
          </PanelBoundary>
          <PanelBoundary label="The generate panel">
            <GeneratePanel />
          </PanelBoundary>
        </div>
        <div className="views">
          <PanelBoundary label="The charts">
            <Charts />
          </PanelBoundary>
          <PanelBoundary label="The ZO dynamics view">
            <DynamicsView />
          </PanelBoundary>
          <PanelBoundary label="The influence view">
            <InfluenceView />
          </PanelBoundary>
          <PanelBoundary label="The runs panel">
            <RunsPanel />
          </PanelBoundary>
          <PanelBoundary label="The rephrase panel">
            <RephrasePanel />
          </PanelBoundary>
        </div>
      </main>
    </div>
  );
}
