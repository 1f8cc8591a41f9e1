// Small labelled form controls. Every control has a visible <label> so screen readers and
// Playwright's getByLabel find it by name.
import { useEffect, useId, useState, type ReactNode } from 'react';

interface NumberFieldProps {
  label: string;
  value: number;
  onChange: (value: number) => void;
  min?: number;
  max?: number;
  integer?: boolean;
  hint?: string;
  disabled?: boolean;
}

/** Accepts "1e-4" as typed; commits only valid numbers in range, shows why otherwise. */
export function NumberField({ label, value, onChange, min, max, integer, hint, disabled }: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const parsed = Number(draft.trim());
  const problem =
    draft.trim() === '' || !Number.isFinite(parsed)
      ? 'not a number'
      : integer && !Number.isInteger(parsed)
        ? 'must be a whole number'
        : min !== undefined && parsed < min
          ? `at least ${min}`
          : max !== undefined && parsed > max
            ? `at most ${max}`
            : null;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode="decimal"
        value={draft}
        disabled={disabled}
        aria-invalid={problem ? true : undefined}
        aria-describedby={hint || problem ? `${id}-hint` : undefined}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = Number(e.target.value.trim());
          if (e.target.value.trim() !== '' && Number.isFinite(v) && (!integer || Number.isInteger(v)) && (min === undefined || v >= min) && (max === undefined || v <= max)) onChange(v);
        }}
      />
      {(problem || hint) && (
        <small id={`${id}-hint`} className={problem ? 'field-error' : 'hint'}>
          {problem ?? hint}
        </small>
      )}
    </div>
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: readonly { value: T; label: string; disabled?: boolean }[];
  onChange: (value: T) => void;
  disabled?: boolean;
  hint?: ReactNode;
}

export function SelectField<T extends string>({ label, value, options, onChange, disabled, hint }: SelectFieldProps<T>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && <small className="hint">{hint}</small>}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'password';
  placeholder?: string;
  hint?: ReactNode;
  autoComplete?: string;
}

export function TextField({ label, value, onChange, type = 'text', placeholder, hint, autoComplete }: TextFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value} placeholder={placeholder} autoComplete={autoComplete ?? 'off'} spellCheck={false} onChange={(e) => onChange(e.target.value)} />
      {hint && <small className="hint">{hint}</small>}
    </div>
  );
}

export function Panel({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <header className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function ErrorBox({ error, children }: { error: { kind: string; message: string } | null; children?: ReactNode }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      <p>{error.message}</p>
      {children}
    </div>
  );
}
