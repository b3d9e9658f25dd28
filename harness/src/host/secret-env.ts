import { createRedactor, type Redactor } from './redact.ts';

// Which environment variables hold secrets: GitLab's job and registry credentials, kvmatrix's
// own token, and anything whose name says it is a token, password, secret or key. Used to mask
// them in every error the CLI prints (KVMATRIX_DEBUG's causes and stacks included) and to keep
// them out of the processes a cell runs.
const SECRET_NAME =
  /(TOKEN|PASSWORD|PASSWD|SECRET|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|AUTH|JWT|COOKIE|SESSION)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && isSecretName(name))
    .map(([, value]) => value as string);
}

// Masks the secret variables of `env` and the password of any URL (`https://user:pw@host`).
export function createEnvRedactor(env: NodeJS.ProcessEnv = process.env): Redactor {
  const byValue = createRedactor(secretValues(env));
  return (text) => byValue(text).replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, '$1[MASKED]@');
}
