// The form of a Hugging Face repository id, checked before any request so a typo gets a message
// about the id instead of a 404 or a network error. Rules as huggingface_hub's validate_repo_id:
// `owner/name`, each of letters, digits, '-', '_', '.', not starting or ending with '-' or '.',
// no '--' or '..', the name at most 96 characters.

const PART = /^[A-Za-z0-9_](?:[\w.-]*[A-Za-z0-9_])?$/;

/** Why `repo` is not a repository id, or null when it is one. */
export function hubRepoIdProblem(repo: string): string | null {
  const id = repo.trim();
  if (!id) return 'Enter a Hub repository id, owner/model (for example HuggingFaceTB/SmolLM2-135M).';
  if (/^https?:\/\//i.test(id)) return `"${id}" is a URL; enter the repository id alone, owner/model (the part after huggingface.co/).`;
  const parts = id.split('/');
  if (parts.length !== 2) return `"${id}" is not a repository id: it must be owner/model, with exactly one "/" (for example HuggingFaceTB/SmolLM2-135M).`;
  const [owner, name] = parts;
  for (const [what, part] of [['owner', owner], ['model name', name]] as const) {
    if (!PART.test(part) || part.includes('--') || part.includes('..')) {
      return `"${id}": the ${what} "${part}" may hold only letters, digits, "-", "_" and ".", not at its start or end, and no "--" or "..".`;
    }
  }
  if (name.length > 96) return `"${id}": the model name is ${name.length} characters; the Hub allows at most 96.`;
  return null;
}
