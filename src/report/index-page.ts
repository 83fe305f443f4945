/**
 * index.html of a folder of runs (`neurocompare report results/`): one row
 * per run with its scenario, date, learners or groups, headline figures and
 * whether it is complete, each linked to its report; then the comparisons
 * written by `neurocompare compare` into the same folder. The page is built
 * from what each run recorded (summary.json, its log), never by rerunning.
 */
import type { ReportDoc } from "./html.js";
import type { HeadlineTable, TableCell } from "./table.js";
import { writeReportDoc } from "./write.js";

export interface IndexEntry {
  /** The run folder's name (its link text). */
  label: string;
  /** The run's report relative to the index, with `/` separators; null when it has none yet. */
  report: string | null;
  scenario: string;
  kind: "learning" | "network" | "routing" | "unreadable";
  /** When the run was started (its manifest), or last wrote its results (older folders). */
  date: Date | null;
  /** Learners (or a network's groups) in scenario order. */
  members: readonly string[];
  /** Headline figures: final test accuracy per learner, mean rate per group, or mean path length per routing strategy. */
  headline: string;
  seeds: readonly number[];
  status: "complete" | "incomplete" | "unknown";
  /** Units finished of those the run plans (runs with a manifest). */
  units?: { finished: number; total: number };
  /** Why the run could not be read, for an unreadable one. */
  problem?: string;
}

export interface ComparisonEntry {
  label: string;
  /** The comparison's report relative to the index. */
  report: string | null;
  /** The runs it compares, by label. */
  runs: readonly string[];
}

/** "2026-05-04 13:07" in UTC (the table's note says so), so the page reads the same wherever it is opened. */
export function formatDate(d: Date | null): string {
  return d === null ? "–" : d.toISOString().slice(0, 16).replace("T", " ");
}

const cell = (text: string, href?: string): TableCell =>
  href === undefined ? { text, best: false } : { text, best: false, href };

export function indexTable(entries: readonly IndexEntry[]): HeadlineTable {
  return {
    headers: ["run (scenario)", "started (UTC)", "status", "seeds", "learners or groups, with their headline figures"],
    rows: entries.map((e) => [
      cell(
        e.scenario === e.label || e.scenario === "–" ? e.label : `${e.label} (${e.scenario})`,
        e.report ?? undefined,
      ),
      cell(formatDate(e.date)),
      cell(
        e.kind === "unreadable"
          ? `unreadable: ${e.problem ?? ""}`
          : e.status === "unknown"
            ? "no log"
            : e.status === "incomplete" && e.units !== undefined
              ? `incomplete (${e.units.finished} of ${e.units.total} units)`
              : e.status,
      ),
      cell(e.seeds.length > 0 ? e.seeds.join(", ") : "–"),
      cell(e.headline === "–" ? (e.members.length > 0 ? e.members.join(", ") : "–") : e.headline),
    ]),
    textColumns: 5,
    notes: [
      "Run: the folder's name, with its scenario's name in brackets where they differ. Headline figures: each learner's final test accuracy (learning runs) or each group's mean firing rate (network runs); mean ± 95% confidence half-width over seeds ([a, b]: the seeds' range where the interval would leave what the quantity allows). Status: complete when every unit of the run has finished, incomplete when some have not (interrupted or still running). Start dates are in UTC (for folders written before runs recorded a start, when the run last wrote its results).",
    ],
  };
}

/** Writes `dir`/index.html and index.md; returns the files written. */
export function writeIndex(
  dir: string,
  entries: readonly IndexEntry[],
  comparisons: readonly ComparisonEntry[],
  packageVersion: string,
): string[] {
  const files: string[] = [];
  const complete = entries.filter((e) => e.status === "complete").length;
  const doc: ReportDoc = {
    name: "Runs",
    description: `Every run in this folder, newest first, each linked to its report.`,
    meta: `${entries.length} run(s), ${complete} complete${comparisons.length > 0 ? ` · ${comparisons.length} comparison(s)` : ""}`,
    tableTitle: "Runs",
    tableIntro: "One row per run folder; click a run's name for its report.",
    table: indexTable(entries),
    tables:
      comparisons.length > 0
        ? [
            {
              id: "comparisons",
              title: "Comparisons",
              intro: "Reports written by `neurocompare compare`, each putting runs side by side.",
              table: {
                headers: ["comparison", "runs"],
                rows: comparisons.map((c) => [cell(c.label, c.report ?? undefined), cell(c.runs.join(", "))]),
                textColumns: 2,
              },
            },
          ]
        : [],
    charts: [],
    files: [],
    packageVersion,
    rerun: "Rebuild this page with `neurocompare report` on this folder; each run's own report says how to rerun it.",
  };
  writeReportDoc(dir, doc, files, "index");
  return files;
}
