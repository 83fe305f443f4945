/**
 * Typed errors with stable codes. A `UserError` is the user's mistake (a bad
 * scenario, option or file): the CLI prints its message without a stack trace
 * and exits with its `exitCode`. Any other error is a programming error and
 * keeps its stack.
 */

export type ErrorCode =
  | "E_JSON_SYNTAX"
  | "E_SCENARIO_INVALID"
  | "E_FILE_NOT_FOUND"
  | "E_FILE_UNREADABLE"
  | "E_FILE_TOO_LARGE"
  | "E_RESOURCE_LIMIT"
  | "E_OUTPUT_INVALID"
  | "E_SCENARIO_FORMAT"
  | "E_OPTION_INVALID"
  | "E_RESULTS_INVALID"
  | "E_DATA_MISSING"
  | "E_DATA_INVALID"
  | "E_EQUATION_INVALID"
  | "E_CONFIG_INVALID"
  /** The results folder holds another run's results or files that are not results. */
  | "E_OUTPUT_FOREIGN"
  /** A unit is being run by another live process. */
  | "E_OUTPUT_LOCKED"
  /** sbatch is missing or refused a job. */
  | "E_SLURM"
  /** A network's state became NaN or infinite during a run. */
  | "E_NETWORK_DIVERGED";

/** Every error neurocompare throws on purpose, with a stable `code`. */
export class NeuroError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "NeuroError";
    this.code = code;
  }
}

/** A mistake in the user's input; reported plainly, exit code 2. */
export class UserError extends NeuroError {
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, exitCode = 2) {
    super(code, message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** One problem at one place in a file. */
export interface Issue {
  /** JSON path, e.g. `$.learners[0].hidden`. */
  path: string;
  expected: string;
  found: string;
  /** 1-based line in the file, when known. */
  line?: number;
  column?: number;
}

/** A scenario (or results) file that failed validation: lists every issue. */
export class ScenarioError extends UserError {
  readonly file: string;
  readonly issues: readonly Issue[];
  constructor(file: string, issues: readonly Issue[], code: ErrorCode = "E_SCENARIO_INVALID") {
    super(code, formatIssues(file, issues));
    this.name = "ScenarioError";
    this.file = file;
    this.issues = issues;
  }
}

/** Problems printed in full; past this a file with thousands of the same mistake ends with a count. */
export const MAX_ISSUES_SHOWN = 50;

export function formatIssues(file: string, issues: readonly Issue[]): string {
  const lines = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => {
    const where = i.line !== undefined ? `${file}:${i.line}:${i.column ?? 1}` : file;
    return `${where}: at ${i.path}: expected ${i.expected}, found ${i.found}`;
  });
  if (issues.length > MAX_ISSUES_SHOWN) lines.push(`... and ${issues.length - MAX_ISSUES_SHOWN} more problems`);
  const head = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return `${file}: ${head}\n  ${lines.join("\n  ")}`;
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
