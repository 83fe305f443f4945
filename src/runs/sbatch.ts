/**
 * SLURM job scripts for a run: a job array whose task k runs shard k+1 of n
 * (runs/shard.ts: the task reads SLURM_ARRAY_TASK_ID and
 * SLURM_ARRAY_TASK_COUNT), and a merge job that the submitter makes depend on
 * the array (`sbatch --dependency=afterok:<array job id>`), which assembles
 * the tables and writes the report. Both write their logs into the results
 * folder as slurm-<job>_<task>.out and slurm-<job>.out.
 *
 * Quoting. The shell body holds every path in single quotes (a single quote
 * inside becomes '\''), so any character is taken literally. The #SBATCH
 * lines are read by sbatch, not by a shell: there a double-quoted value may
 * hold spaces, `'` and `$`, `%` is written `%%` (it starts a file-name
 * pattern), and a backslash would turn patterns off (checked with SLURM
 * 22.05); so the results folder may not contain `"`, `\` or control
 * characters, and the options that reach #SBATCH lines are checked against
 * SLURM's formats.
 */
import { UserError } from "../core/errors.js";
import { fileComponent } from "../core/paths.js";

export interface SbatchOptions {
  /** The scenario's name (the job name). */
  name: string;
  /** Absolute path of the scenario file. */
  scenarioFile: string;
  /** Absolute path of the results folder. */
  outDir: string;
  /** Array tasks (shards). */
  tasks: number;
  /** Units in the plan (for the comments). */
  units: number;
  /** `--seeds N` as given to `run`, when given. */
  seedsOption?: string;
  cpusPerTask: number;
  partition?: string;
  time?: string;
  /** The command that runs neurocompare on the nodes, as words (e.g. the node binary and dist/cli/main.js). */
  command: readonly string[];
}

/** A word for bash, in single quotes unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[\w./@:+,=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refuses a path that a job script cannot hold: control characters anywhere (a newline ends a line). */
export function checkScriptPath(path: string, what: string): void {
  if (CONTROL.test(path))
    throw new UserError(
      "E_OPTION_INVALID",
      `${what} ${JSON.stringify(path)}: expected a path without control characters (a job script could not hold it)`,
    );
}

/** A file-name pattern for an `#SBATCH` line: `dir` (its `%` doubled) then `pattern`, double-quoted. */
function sbatchPath(dir: string, pattern: string, what: string): string {
  checkScriptPath(dir, what);
  const bad = /["\\]/.exec(dir);
  if (bad !== null)
    throw new UserError(
      "E_OPTION_INVALID",
      `${what} ${JSON.stringify(dir)}: expected a path without ${JSON.stringify(bad[0])} (an #SBATCH line cannot hold it); choose another --out`,
    );
  return `"${dir.replace(/%/g, "%%")}/${pattern}"`;
}

/** `--partition`: one or more partition names, comma-separated. */
export function checkPartition(value: string): string {
  if (!/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(value))
    throw new UserError(
      "E_OPTION_INVALID",
      `option --partition: expected a partition name (letters, digits, '_', '.', '-'; several separated by commas), found ${JSON.stringify(value)}`,
    );
  return value;
}

/** `--time`: one of SLURM's time-limit formats (sbatch(1)). */
export function checkTime(value: string): string {
  const formats = [
    /^\d+$/, // minutes
    /^\d+:\d{1,2}$/, // minutes:seconds
    /^\d+:\d{1,2}:\d{1,2}$/, // hours:minutes:seconds
    /^\d+-\d{1,2}$/, // days-hours
    /^\d+-\d{1,2}:\d{1,2}$/, // days-hours:minutes
    /^\d+-\d{1,2}:\d{1,2}:\d{1,2}$/, // days-hours:minutes:seconds
    /^(UNLIMITED|INFINITE)$/i,
  ];
  if (!formats.some((f) => f.test(value)))
    throw new UserError(
      "E_OPTION_INVALID",
      `option --time: expected a SLURM time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS), found ${JSON.stringify(value)}`,
    );
  return value;
}

function header(o: SbatchOptions, jobName: string, output: string, cpus: number, extra: string[]): string[] {
  return [
    "#!/bin/bash",
    ...extra,
    `#SBATCH --job-name=${jobName}`,
    `#SBATCH --output=${sbatchPath(o.outDir, output, "--out")}`,
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${cpus}`,
    ...(o.partition !== undefined ? [`#SBATCH --partition=${checkPartition(o.partition)}`] : []),
    ...(o.time !== undefined ? [`#SBATCH --time=${checkTime(o.time)}`] : []),
  ];
}

function body(o: SbatchOptions, withScenario: boolean): string[] {
  checkScriptPath(o.scenarioFile, "scenario");
  return [
    "",
    "# The neurocompare that wrote this script (on a cluster: on a file system the nodes share).",
    `neurocompare=(${o.command.map(shellQuote).join(" ")})`,
    ...(withScenario ? [`scenario=${shellQuote(o.scenarioFile)}`] : []),
    `out=${shellQuote(o.outDir)}`,
  ];
}

/** The two scripts: the job array (one shard per task) and the merge job. */
export function sbatchScripts(o: SbatchOptions): { array: string; merge: string } {
  const job = fileComponent(o.name);
  const seeds = o.seedsOption !== undefined ? ` --seeds ${shellQuote(o.seedsOption)}` : "";
  const arrayScript = [
    ...header(o, job, "slurm-%A_%a.out", o.cpusPerTask, [
      `# neurocompare: scenario ${JSON.stringify(o.name)}, ${o.units} units in ${o.tasks} array tasks.`,
      "# Written by `neurocompare slurm`, which also submits it (--submit) as:",
      "#   jid=$(sbatch --parsable <this script>)",
      `#   sbatch --dependency=afterok:\${jid%%;*} <the -merge.sbatch script beside it>`,
      "# Task k runs shard k+1 of the units (SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT choose it).",
      "# A task cut off (time limit, node failure) resumes from its last finished epoch when the",
      "# array is submitted again; `neurocompare merge` then assembles what is there.",
    ]),
    `#SBATCH --array=0-${o.tasks - 1}`,
    ...body(o, true),
    "",
    `"\${neurocompare[@]}" run "$scenario" --out "$out"${seeds} --jobs "\${SLURM_CPUS_PER_TASK:-1}"`,
    "status=$?",
    "# 3: a unit diverged; its rows are stored and the merge reports it, so the array still succeeds.",
    'if [ "$status" -eq 3 ]; then exit 0; fi',
    'exit "$status"',
    "",
  ].join("\n");
  const mergeScript = [
    ...header(o, `${job}-merge`, "slurm-%j.out", 1, [
      `# neurocompare: assembles the tables and report of scenario ${JSON.stringify(o.name)} once every`,
      "# task of its job array has succeeded (submitted with --dependency=afterok:<array job id>).",
    ]),
    ...body(o, false),
    "",
    `"\${neurocompare[@]}" merge "$out"`,
    "status=$?",
    'if [ "$status" -eq 3 ]; then exit 0; fi',
    'exit "$status"',
    "",
  ].join("\n");
  return { array: arrayScript, merge: mergeScript };
}
