// Full mode's subset: train only some layers and/or projection types (the rest stays frozen).
// Fewer perturbed weights mean a less noisy ZO estimate per step, at the cost of what can move.
// The text is kept as typed; the config changes only when it parses.
import { useEffect, useState } from 'react';
import { parseLayerList, parseProjectionList } from '../../engine/training/trainable';
import { setConfig } from '../../store/training/actions';
import { useStudio } from '../../store/state';
import { TextField } from '../Fields';

export function FullSubsetFields() {
  const full = useStudio((s) => s.config.full);
  const layerCount = useStudio((s) => s.summary?.layers ?? null);
  const [layersText, setLayersText] = useState(full?.layers?.join(',') ?? '');
  const [projText, setProjText] = useState(full?.projections?.join(',') ?? '');
  const [errors, setErrors] = useState<{ layers?: string; projections?: string }>({});
  // A preset can set or clear the subset: show what it chose, but leave text the user is typing
  // alone while it still means the same list (so this runs when the config changes, not per key).
  useEffect(() => {
    if (!sameList(parsedOrNull(parseLayerList, layersText), full?.layers)) setLayersText(full?.layers?.join(',') ?? '');
    if (!sameList(parsedOrNull(parseProjectionList, projText), full?.projections)) setProjText(full?.projections?.join(',') ?? '');
    if (!full) setErrors({});
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

function parsedOrNull<T>(parse: (text: string) => T[], text: string): T[] | null {
  try {
    return parse(text);
  } catch {
    return null;
  }
}

function sameList<T>(a: T[] | null, b: T[] | undefined): boolean {
  if (a === null) return false;
  const other = b ?? [];
  return a.length === other.length && a.every((v, i) => v === other[i]);
}
