/** One thing wrong with a project, located by file (and JSON path inside it when known). */
export interface ProjectProblem {
  /** A catalogued code, e.g. `project.malformed_json`. */
  code: string;
  severity: 'error' | 'warning';
  /** `<file>` or `<file>: <json.path>`, project-relative with forward slashes. */
  path: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** How to fix it, when there is a clear fix. */
  hint?: string;
}

/** Joins a file and a JSON path the way every problem shows them: `sites/demo.json: wifi.password`. */
export const locate = (file: string, jsonPath?: string): string => (jsonPath ? `${file}: ${jsonPath}` : file);

/** True when any problem is an error (warnings alone leave a project valid). */
export const hasErrors = (problems: readonly ProjectProblem[]): boolean =>
  problems.some((p) => p.severity === 'error');
