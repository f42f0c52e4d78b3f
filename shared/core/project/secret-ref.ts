import type { JsonValue } from './serialize';
import type { ProjectProblem } from './problems';

/**
 * A secret reference as it appears in project files: `{ "secret": "<ref>" }` (the model's
 * SecretRef). The value lives in a SecretStore (OS keychain or the encrypted secrets file),
 * never in the project.
 */
export interface SecretRef {
  secret: string;
}

// Same rule as the model's SecretRef schema; refs read like `site/demo/wifi` in diffs.
const REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** True when `ref` is a well-formed secret reference name, e.g. `site/demo/wifi`. */
export const isSecretRefName = (ref: string): boolean => ref.length <= 200 && REF_PATTERN.test(ref);

/** True when `value` is a secret reference object. */
export const isSecretRef = (value: unknown): value is SecretRef =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  typeof (value as SecretRef).secret === 'string';

// Keys that carry credentials in the site profiles of every firmware we commission.
const SECRET_KEY =
  /(^|[_-])(pass|password|passphrase|psk|secret|token|apikey|api_key|privatekey|private_key)$/i;

/**
 * Finds credentials stored as plain values (a string under a key such as `password`, `psk`
 * or `token`) and malformed references, so a secret never ends up in a git-tracked file.
 */
export const findSecretProblems = (value: JsonValue, file: string, path = ''): ProjectProblem[] => {
  const problems: ProjectProblem[] = [];
  const at = (p: string) => (p ? `${file}: ${p}` : file);
  if (Array.isArray(value)) {
    value.forEach((item, i) => problems.push(...findSecretProblems(item, file, `${path}[${i}]`)));
    return problems;
  }
  if (value === null || typeof value !== 'object') return problems;
  if (isSecretRef(value)) {
    if (!isSecretRefName(value.secret)) {
      problems.push({
        code: 'project.bad_secret_ref',
        severity: 'error',
        path: at(path),
        message: `"${value.secret}" is not a valid secret reference.`,
        hint: 'Use letters, digits, ".", "_", "-" and "/", for example "site/demo/wifi".',
      });
    }
    return problems;
  }
  for (const [key, member] of Object.entries(value)) {
    const memberPath = path ? `${path}.${key}` : key;
    if (SECRET_KEY.test(key) && typeof member === 'string' && member !== '') {
      problems.push({
        code: 'project.secret_in_file',
        severity: 'error',
        path: at(memberPath),
        message: `${key} holds a secret value in a project file.`,
        hint: 'Store it in the secret store and put a reference here instead: { "secret": "site/<site>/<name>" }.',
      });
    } else {
      problems.push(...findSecretProblems(member, file, memberPath));
    }
  }
  return problems;
};
