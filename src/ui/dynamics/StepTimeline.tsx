// One ZO step slowed down: perturb +, evaluate, perturb −, evaluate, restore, update. The
// numbers are the latest step the engine reported (nothing is shown before one exists).
import { useEffect, useState } from 'react';
import { useStudio } from '../../store/state';
import { useVisibleRuns } from '../charts/chartData';
import { num } from '../format';

interface Phase {
  title: string;
  formula: string;
  value: (s: Latest) => string;
}

interface Latest {
  step: number;
  seed: number;
  lossPlus: number;
  lossMinus: number;
  grad: number;
  lr: number;
  eps: number;
}

const PHASES: Phase[] = [
  { title: 'Perturb +', formula: 'θ ← θ + ε·z', value: (s) => `z drawn from seed ${s.seed}, ε = ${num(s.eps)}` },
  { title: 'Evaluate', formula: 'L₊ = L(θ + ε·z)', value: (s) => `L₊ = ${num(s.lossPlus, 6)}` },
  { title: 'Perturb −', formula: 'θ ← θ − 2ε·z', value: () => 'same z, regenerated from the seed' },
  { title: 'Evaluate', formula: 'L₋ = L(θ − ε·z)', value: (s) => `L₋ = ${num(s.lossMinus, 6)}` },
  { title: 'Restore', formula: 'θ ← θ + ε·z', value: () => 'weights back where they started (on the GPU, in the same pass as the update)' },
  { title: 'Update', formula: 'θ ← θ − η·g·z,  g = (L₊ − L₋) / 2ε', value: (s) => `g = ${num(s.grad)}, η = ${num(s.lr)}` },
];

export function StepTimeline() {
  const run = useVisibleRuns(6)[0];
  const speed = useStudio((s) => s.timelineSpeed);
  const [phase, setPhase] = useState(0);
  useEffect(() => {
    if (speed <= 0) return;
    const timer = setInterval(() => setPhase((p) => (p + 1) % PHASES.length), 1600 / speed);
    return () => clearInterval(timer);
  }, [speed]);
  const n = run?.steps.step.length ?? 0;
  const latest: Latest | null =
    run && n > 0
      ? {
          step: run.steps.step[n - 1],
          seed: run.steps.seed[n - 1],
          lossPlus: run.steps.lossPlus[n - 1],
          lossMinus: run.steps.lossMinus[n - 1],
          grad: run.steps.projectedGrad[n - 1],
          lr: run.steps.lr[n - 1],
          eps: run.meta.config.eps,
        }
      : null;
  return (
    <div className="timeline" aria-label="One zeroth-order step, animated">
      <div className="timeline-head">
        <strong>{latest ? `Step ${latest.step}, slowed down` : 'One step, slowed down'}</strong>
        <label>
          Animation speed{' '}
          <select value={speed} onChange={(e) => useStudio.setState({ timelineSpeed: Number(e.target.value) })}>
            <option value={0}>paused</option>
            <option value={0.5}>slow</option>
            <option value={1}>normal</option>
            <option value={2}>fast</option>
          </select>
        </label>
      </div>
      <ol className="phases">
        {PHASES.map((p, i) => (
          <li key={i} className={i === phase ? 'active' : ''} aria-current={i === phase ? 'step' : undefined} onClick={() => setPhase(i)}>
            <span className="phase-title">
              {i + 1}. {p.title}
            </span>
            <code>{p.formula}</code>
            {latest && <small>{p.value(latest)}</small>}
          </li>
        ))}
      </ol>
    </div>
  );
}
