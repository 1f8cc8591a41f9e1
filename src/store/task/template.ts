// The template editor's action: a new prompt template re-validates the task it applies to, an
// upload (rebuilt under the template, ./upload.ts) or a built-in or saved task. Its own file so the
// task and upload actions do not import each other.
import { unknownTemplateFields, validateRows, validateSpec } from '../../engine/data';
import { getState, setState } from '../state';
import { userError } from '../userError';
import { buildUpload } from './upload';

/** Template edits re-validate every row at once; the engine gets the task on apply or on start. */
export function setTemplate(template: string): void {
  setState({ template, taskApplied: false });
  const { upload, parsed } = getState();
  if (upload) return buildUpload();
  if (!parsed) return;
  try {
    const spec = validateSpec({ ...parsed.spec, prompt_template: template });
    // A placeholder no row has is said once, not once per row.
    const fields = [...new Set(Object.values(parsed.splits).flatMap((rows) => rows.slice(0, 50).flatMap((r) => Object.keys(r))))].filter((f) => f !== 'label');
    const typo = unknownTemplateFields(template, fields, 'field');
    if (typo) {
      setState({ taskError: { kind: 'task', message: `${typo[0].toUpperCase()}${typo.slice(1)}.` }, taskStatus: 'error' });
      return;
    }
    const problems = Object.entries(parsed.splits).flatMap(([split, rows]) => validateRows(spec, split, rows).problems);
    setState({ parsed: { ...parsed, spec, problems }, taskError: null, taskStatus: 'ready' });
  } catch (error) {
    setState({ taskError: userError(error), taskStatus: 'error' });
  }
}

