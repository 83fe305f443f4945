/**
 * `neurocompare compare <dir> <dir>... [--out DIR]`: runs side by side, from
 * their folders (no retraining). The comparison goes to --out, by default a
 * folder `compare-<a>-vs-<b>...` beside the first run, which `report` on the
 * parent folder then lists in its index.
 */
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { UserError } from "../core/errors.js";
import { fileComponent, outputPath } from "../core/paths.js";
import type { ComparedRun } from "../report/compare.js";
import { withoutDiverged } from "../report/compare.js";
import { packageVersion } from "../version.js";
import { isNetworkRun, isRunFolder, readLearningRun, readNetworkRun, runLabels } from "./run-folder.js";

/** A path from `from` to `to` for a link in a page, with `/` separators. */
function link(from: string, to: string): string {
  return relative(from, to).split(/[\\/]/).join("/");
}

function readCompared(dir: string, label: string, out: string): ComparedRun {
  const report = existsSync(outputPath(dir, "report.html")) ? link(out, outputPath(dir, "report.html")) : null;
  if (isNetworkRun(dir)) {
    const run = readNetworkRun(dir);
    return {
      label,
      report,
      dir,
      kind: "network",
      scenario: run.scenario.name,
      task: "network (no task)",
      seeds: run.summary.seeds,
      members: run.scenario.groups.map((g) => g.name).filter((g) => run.rows.some((r) => r.group === g)),
      rows: run.rows.map((r) => ({ learner: r.group, seed: r.seed, epoch: 0, metric: r.metric, value: r.value })),
      ...(run.summary.environment === undefined ? {} : { environment: run.summary.environment }),
    };
  }
  const run = readLearningRun(dir);
  const { rows, diverged } = withoutDiverged(run.data.rows);
  return {
    label,
    report,
    dir,
    kind: "learning",
    scenario: run.scenario.name,
    task: run.scenario.task.type,
    seeds: run.summary.seeds,
    members: run.data.learners.map((l) => l.name),
    rows,
    diverged,
    ...(run.summary.environment === undefined ? {} : { environment: run.summary.environment }),
  };
}

export async function compareCommand(dirArgs: readonly string[], opts: { out?: string }): Promise<void> {
  if (dirArgs.length < 2) {
    throw new UserError(
      "E_OPTION_INVALID",
      `compare: expected at least two run folders, found ${dirArgs.length} (${dirArgs.join(", ") || "none"})`,
    );
  }
  const dirs = dirArgs.map((d) => resolve(d));
  for (const [i, d] of dirs.entries()) {
    if (!isRunFolder(d)) {
      throw new UserError(
        "E_FILE_NOT_FOUND",
        `compare: ${dirArgs[i]} is not a run folder (expected the summary.json and metrics.csv that \`neurocompare run\` writes)`,
      );
    }
  }
  const labels = runLabels(dirs);
  const out =
    opts.out !== undefined
      ? resolve(opts.out)
      : outputPath(dirname(dirs[0]!), fileComponent(`compare-${labels.join("-vs-")}`));
  if (dirs.includes(out) || isRunFolder(out)) {
    throw new UserError(
      "E_OPTION_INVALID",
      `compare: --out ${opts.out} holds a run${dirs.includes(out) ? " (one of those compared)" : ""}; its report would be overwritten (choose another folder)`,
    );
  }
  const runs = dirs.map((d, i) => readCompared(d, labels[i]!, out));
  const kinds = new Set(runs.map((r) => r.kind));
  if (kinds.size > 1) {
    throw new UserError(
      "E_OPTION_INVALID",
      `compare: the runs mix learning and network scenarios (${runs.map((r) => `${r.label}: ${r.kind}`).join(", ")}); compare runs of one kind`,
    );
  }
  const { writeCompareReport } = await import("../report/compare.js");
  await writeCompareReport(out, runs, packageVersion);
  process.stdout.write(`Comparison of ${runs.length} runs: ${outputPath(out, "report.html")}\n`);
}
