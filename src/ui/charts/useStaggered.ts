// Spreads chart redraws over separate tasks: each chart takes a new value `slot * STAGGER_MS`
// after it changes (in a transition, so React may slice it), instead of all charts redrawing
// in the one task that applied the batch. No single task then has to draw every chart.
import { startTransition, useEffect, useRef, useState } from 'react';

const STAGGER_MS = 40;

export function useStaggered<T>(value: T, slot: number): T {
  const [shown, setShown] = useState(value);
  const latest = useRef(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  latest.current = value;
  useEffect(() => {
    // One timer at a time; when it fires it takes whatever value is latest by then.
    if (timer.current !== null || Object.is(value, shown)) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      startTransition(() => setShown(latest.current));
    }, slot * STAGGER_MS);
  });
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return shown;
}
