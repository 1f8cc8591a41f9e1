// A word diff as text nodes: removed words in <del>, added words in <ins>. Model output is
// data, so it is only ever rendered as React text children, never as HTML.
import { memo } from 'react';
import type { DiffPart } from '../../rephrase';

export const DiffText = memo(function DiffText({ parts }: { parts: readonly DiffPart[] }) {
  return (
    <>
      {parts.map((p, i) => (p.op === 'equal' ? <span key={i}>{p.text}</span> : p.op === 'delete' ? <del key={i}>{p.text}</del> : <ins key={i}>{p.text}</ins>))}
    </>
  );
});
