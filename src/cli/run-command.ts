/** `neurocompare run <scenario.json> [--out DIR] [--seeds N]`: train, evaluate, write results and report. */
import { appendFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../core/errors.js";
import { writeData, writeFileAtomic, writeReport } from "../report/write.js";
import { loadScenario } from "../scenario/parse.js";
import { summarize } from "../scenario/results.js";
import { runScenario } from "../scenario/run.js";
import { packageVersion } from "../version.js";
import { progressObserver } from "./progress.js";

export interface RunCommandOptions {
  out?: string;
  seeds?: string;
  quiet?: boolean;
}

export function parsePositiveInt(value: string, option: string, max = 1000): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UserError("E_OPTION_INVALID", `option ${option}: expected an integer from 1 to ${max}, found ${JSON.stringify(value)}`);
  }
  return n;
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<void> {
  const scenario = loadScenario(file);
  let seeds = scenario.seeds;
  if (opts.seeds !== undefined) {
    const n = parsePositiveInt(opts.seeds, "--seeds");
    const first = scenario.seeds[0] ?? 0;
    seeds = Array.from({ length: n }, (_, i) => first + i);
  }
  const dir = resolve(opts.out ?? join("results", scenario.name));
  mkdirSync(dir, { recursive: true });
  const eventsPath = join(dir, "events.jsonl");
  writeFileAtomic(eventsPath, JSON.stringify({ event: "start", scenario: scenario.name, seeds, packageVersion }) + "\n");
  const progress = opts.quiet ? undefined : progressObserver(process.stderr);
  const t0 = performance.now();
  const result = runScenario(scenario, {
    seeds,
    observer: {
      onProgress: progress?.onProgress,
      onEpoch(record) {
        // One line per finished epoch, appended at once: an interrupted run keeps what it did.
        appendFileSync(eventsPath, JSON.stringify({ event: "epoch", ...record }) + "\n");
        progress?.onEpoch?.(record);
      },
    },
  });
  const summary = summarize(result, packageVersion);
  writeData(dir, result.rows, summary);
  await writeReport(dir, result.rows, summary);
  appendFileSync(eventsPath, JSON.stringify({ event: "end", wallMs: Math.round(performance.now() - t0) }) + "\n");
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  for (const l of summary.learners) {
    const acc = l.final["testAccuracy"];
    if (acc !== undefined) {
      const ci = acc.n > 1 ? ` ± ${(100 * acc.halfWidth).toFixed(2)} (95% CI, ${acc.n} seeds)` : "";
      process.stdout.write(`${l.name}: test accuracy ${(100 * acc.mean).toFixed(2)}%${ci}\n`);
    }
  }
  process.stdout.write(`Finished in ${seconds} s. Report: ${join(dir, "report.html")}\n`);
}
