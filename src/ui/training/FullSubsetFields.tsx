// Full mode's subset: train only some layers and/or projection types (the rest stays frozen).
// Fewer perturbed weights mean a less noisy ZO estimate per step, at the cost of what can move.
// The text is kept as typed; the config changes only when it parses.
import { useEffect, useState } from 'react';
import { parseLayerList, parseProjectionList } from '../../engine/training/trainable';
import { setConfig } from '../../store/actions/training';
import { useStudio } from '../../store/state';
import { TextField } from '../Fields';

export function FullSubsetFields() {
  const full = useStudio((s) => s.config.full);
  const layerCount = useStudio((s) => s.summary?.layers ?? null);
  const [layersText, setLayersText] = useState(full?.layers?.join(',') ?? '');
  const [projText, setProjText] = useState(full?.projections?.join(',') ?? '');
  const [errors, setErrors] = useState<{ layers?: string; projections?: string }>({});
  // A preset that trains every weight clears the subset: clear the text with it.
  useEffect(() => {
    if (full) return;
    setLayersText('');
    setProjText('');
    setErrors({});
  }, [full]);

  const apply = (which: 'layers' | 'projections', text: string) => {
    try {
      const value = which === 'layers' ? parseLayerList(text) : parseProjectionList(text);
      if (which === 'layers' && layerCount !== null) {
        const bad = (value as number[]).filter((i) => i >= layerCount);
        if (bad.length) throw new Error(`this model has layers 0..${layerCount - 1}`);
      }
      setErrors((e) => ({ ...e, [which]: undefined }));
      const next = { ...full, [which]: value.length ? value : undefined };
      setConfig({ full: next.layers || next.projections ? next : undefined });
    } catch (e) {
      setErrors((prev) => ({ ...prev, [which]: (e as Error).message }));
    }
  };

  const fields = [
    { which: 'layers' as const, label: 'Layers to train', text: layersText, setText: setLayersText, help: 'e.g. 0,1 or 0-2; empty = every layer (with norms, embeddings, LM head)' },
    { which: 'projections' as const, label: 'Projections to train', text: projText, setText: setProjText, help: 'e.g. q,v or q,k,v,o; empty = all seven' },
  ];
  return (
    <div className="grid2">
      {fields.map((f) => (
        <TextField
          key={f.which}
          label={f.label}
          value={f.text}
          placeholder="all"
          hint={errors[f.which] ?? f.help}
          onChange={(t) => {
            f.setText(t);
            apply(f.which, t);
          }}
        />
      ))}
    </div>
  );
}
