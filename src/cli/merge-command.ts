/**
 * `neurocompare merge <resultsDir>`: a thin face over `merge()` (src/api/merge.ts):
 * assembles the tables and report from the finished units of a run's shards
 * and prints what is missing and why.
 */
import { type MissingUnit, merge } from "../api/merge.js";

function describe(m: MissingUnit): string {
  if (m.state === "running" && m.holder !== undefined)
    return `${m.label} (running: process ${m.holder.pid} on ${m.holder.host} since ${m.holder.since})`;
  if (m.state === "interrupted") return `${m.label} (interrupted: its shard resumes it from the last epoch)`;
  return `${m.label} (${m.state})`;
}

export async function mergeCommand(dir: string): Promise<void> {
  const o = await merge(dir);
  if (o.assembled === null) {
    process.stdout.write(`Nothing merged yet: none of the ${o.total} units of ${o.dir} has finished.\n`);
  } else {
    process.stdout.write(
      `Merged ${o.merged} of ${o.total} units into ${o.dir}: metrics.csv, summary.json, report.html${o.missing.length > 0 ? " (marked incomplete)" : ""}\n`,
    );
    for (const d of o.assembled.diverged)
      process.stderr.write(`warning: ${d.learner} seed ${d.seed} diverged at epoch ${d.epoch} (exit code 3)\n`);
  }
  if (o.missing.length > 0) {
    const shown = o.missing.slice(0, 20).map(describe);
    if (o.missing.length > 20) shown.push(`and ${o.missing.length - 20} more`);
    process.stdout.write(
      `Missing ${o.missing.length} unit(s):\n  ${shown.join("\n  ")}\nRun \`neurocompare merge\` again once they finish.\n`,
    );
  }
  process.exitCode = o.exitCode;
}
