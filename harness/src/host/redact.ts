// Masks secrets in any text before it reaches a log, an error message or a report. GitLab masks
// masked variables in job logs too, but only in the log it captures: kvmatrix also writes files
// and runs on developers' machines, so it never relies on that.
export type Redactor = (text: string) => string;

export const MASK = '[MASKED]';

export function createRedactor(secrets: Array<string | undefined>): Redactor {
  const variants = new Set<string>();
  for (const secret of secrets) {
    // Very short values would mask ordinary words; GitLab's masked variables are >= 8 chars.
    if (!secret || secret.length < 4) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(Buffer.from(secret).toString('base64'));
  }
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of ordered) out = out.split(v).join(MASK);
    return out;
  };
}
