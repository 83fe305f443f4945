/**
 * Every CLI command the "no file outside the output folder" property runs,
 * in order, with what each may write. A command added to the CLI gets one
 * entry here (name, arguments, and any path it may write besides the output
 * folder and the temporary folder); fuzz-writes.test.ts then runs it on every
 * generated scenario.
 */
import { dirname, join } from "node:path";

export interface SandboxPaths {
  /** The sandbox root; nothing may appear in it outside the allowed places. */
  root: string;
  /** The working folder the CLI runs in. */
  cwd: string;
  /** The scenario file. */
  scenario: string;
  /** The output folder given to the commands that take one. */
  out: string;
}

export interface CommandCase {
  name: string;
  args(p: SandboxPaths): string[];
  /** Files or folders this command may write besides `out` and the temporary folder. */
  mayWrite?(p: SandboxPaths): string[];
}

export const COMMANDS: readonly CommandCase[] = [
  { name: "validate", args: (p) => ["validate", p.scenario] },
  { name: "run", args: (p) => ["run", p.scenario, "--out", p.out, "-q"] },
  { name: "report", args: (p) => ["report", p.out] },
  // Without --out a run writes results/<scenario name>/ under the working folder.
  { name: "run (default folder)", args: (p) => ["run", p.scenario, "-q"], mayWrite: (p) => [join(p.cwd, "results")] },
  { name: "migrate", args: (p) => ["migrate", p.scenario], mayWrite: (p) => [p.scenario] },
  { name: "schema", args: (p) => ["schema", "--out", join(p.out, "schema.json")] },
  { name: "list", args: (p) => ["list", dirname(p.scenario)] },
];
