/**
 * Every kind of file the project itself writes into a results folder, in one
 * list. `run` sorts what it finds in a folder against it:
 *
 *   result     written by a run (its manifest, units, tables, charts and
 *              report). In a folder that holds no manifest of the same
 *              scenario, such files belong to another run: `run` refuses
 *              unless --fresh, which removes them (and only them).
 *   companion  written beside a run by other commands (crash reports, NIR
 *              exports, generated sbatch scripts, the index page): never
 *              foreign, never overwritten or removed by `run`.
 *
 * Anything else is foreign: the user's own, never touched. A command that
 * writes a new kind of file into a results folder adds it here.
 */

export interface KnownFileKind {
  /** A file or folder name directly inside the results folder; `*` matches any run of characters. */
  pattern: string;
  role: "result" | "companion";
  /** Folder kinds: the whole folder. */
  folder?: boolean;
  what: string;
}

export const KNOWN_FILE_KINDS: readonly KnownFileKind[] = [
  { pattern: "manifest.json", role: "result", what: "which scenario, seeds and run the folder holds" },
  { pattern: "files.json", role: "result", what: "the files the run wrote (nothing else is ever overwritten)" },
  { pattern: "events.jsonl", role: "result", what: "the run's log, one JSON line per event" },
  { pattern: "units", role: "result", folder: true, what: "one folder per unit: checkpoints, results, locks" },
  { pattern: "metrics.csv", role: "result", what: "the tidy metrics table" },
  { pattern: "summary.json", role: "result", what: "final figures, comparisons and environment" },
  { pattern: "weights.csv", role: "result", what: "weight histograms" },
  { pattern: "robustness.csv", role: "result", what: "robustness curves" },
  { pattern: "firing-rates.csv", role: "result", what: "per-neuron firing rates" },
  { pattern: "spikes.csv", role: "result", what: "a network's recorded spikes" },
  { pattern: "state.csv", role: "result", what: "a network's recorded state variables" },
  { pattern: "charts", role: "result", folder: true, what: "chart specs, SVG and PNG" },
  { pattern: "report.html", role: "result", what: "the report" },
  { pattern: "report.md", role: "result", what: "the report as Markdown" },
  { pattern: "*.tmp-*", role: "result", what: "a write cut off before its rename (atomic writes)" },
  { pattern: "crash-*.txt", role: "companion", what: "crash reports of internal errors" },
  { pattern: "*.nir", role: "companion", what: "NIR exports" },
  { pattern: "*.sbatch", role: "companion", what: "generated SLURM job scripts" },
  { pattern: "slurm-*.out", role: "companion", what: "SLURM job logs" },
  { pattern: "index.html", role: "companion", what: "the index page of a folder of runs" },
  { pattern: "index.md", role: "companion", what: "the index of a folder of runs, as Markdown" },
];

function matches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(name);
}

/** The kind of an entry directly inside a results folder, or null when it is foreign. */
export function knownKind(name: string, isFolder: boolean): KnownFileKind | null {
  return KNOWN_FILE_KINDS.find((k) => (k.folder ?? false) === isFolder && matches(k.pattern, name)) ?? null;
}
