/**
 * `neurocompare report <resultsDir>`: rebuild charts and reports from the run's
 * files (metrics.csv, summary.json, and weights.csv, robustness.csv and
 * firing-rates.csv where present), no retraining.
 */
import { join, resolve } from "node:path";
import { ScenarioError, UserError } from "../core/errors.js";
import { receptiveFieldId, writeReport } from "../report/write.js";
import { outputPath } from "../core/paths.js";
import { parseJson, readTextFile } from "../scenario/parse.js";
import { summarize, type Environment } from "../runs/results.js";
import {
  checkFiringRatesCsv,
  checkMetricsCsv,
  checkRobustnessCsv,
  checkUnits,
  checkWeightsCsv,
} from "../runs/check-results.js";
import { planLearningUnits, unitLabel, type LearningUnit } from "../runs/plan.js";
import { ASSEMBLY_WAIT_MS, assembleLocked } from "../api/run.js";
import { planFromManifest } from "../runs/manifest-plan.js";
import { ResultsStore, type Manifest } from "../runs/store.js";
import type { Scenario } from "../scenario/schema.js";
import { scenarioSchema } from "../scenario/schema.js";
import { networkScenarioSchema } from "../scenario/network-schema.js";
import { networkCsvToRows, recordingsFromCsv, summarizeNetworkRows } from "../runs/network-results.js";
import { writeNetworkReport } from "../report/network-report.js";
import { existsSync, readFileSync } from "node:fs";
import { packageVersion } from "../version.js";

export async function reportCommand(dirArg: string): Promise<void> {
  const dir = resolve(dirArg);
  const manifest = ResultsStore.readManifest(dir);
  if (manifest !== null) {
    await reportRun(dir, manifest);
    return;
  }
  const csvPath = join(dir, "metrics.csv");
  const summaryPath = join(dir, "summary.json");
  const raw = parseJson(readTextFile(summaryPath, "summary file (run `neurocompare run` first)"), summaryPath);
  const rawScenario =
    typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["scenario"] : undefined;
  const isNetwork =
    typeof rawScenario === "object" &&
    rawScenario !== null &&
    (rawScenario as Record<string, unknown>)["kind"] === "network";
  if (isNetwork) {
    await reportNetwork(dir, csvPath, summaryPath, rawScenario, []);
    return;
  }
  const scenario = scenarioSchema.safeParse(rawScenario);
  if (!scenario.success) {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${summaryPath}: at $.scenario: expected the resolved scenario written by \`neurocompare run\`, found ${rawScenario === undefined ? "nothing" : "an invalid scenario"}`,
    );
  }
  const listed = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["seeds"] : undefined;
  const seeds =
    Array.isArray(listed) && listed.length > 0 && listed.every((x) => Number.isInteger(x) && x >= 0)
      ? (listed as number[])
      : scenario.data.seeds;
  await reportLearning(dir, scenario.data, seeds, null, recordedEnvironment(raw), null);
}

/**
 * A folder with a run's manifest. When units finished after the tables were
 * last assembled (a run killed, or still running), the tables are assembled
 * afresh from the unit files first; otherwise the tables are checked against
 * the units they were assembled from, and the rest are shown as missing.
 */
async function reportRun(dir: string, manifest: Manifest): Promise<void> {
  const store = ResultsStore.openExisting(dir)!;
  const { scenario, units, learning } = planFromManifest(dir, manifest);
  const finishedNow = units.filter((u) => store.unitRecord(u) !== null).map((u) => u.path.join("/"));
  const assembled = store.assembledUnits();
  if (assembled === null || !existsSync(join(dir, "metrics.csv")) || finishedNow.some((u) => !assembled.includes(u))) {
    const outcome = await assembleLocked(store, units, { skipIfCurrent: false, waitMs: ASSEMBLY_WAIT_MS });
    if (outcome === null) throw new Error("internal: assembly skipped without skipIfCurrent");
    process.stdout.write(
      `Report assembled from ${units.length - outcome.missing.length} finished unit(s): ${join(dir, "report.html")}${outcome.missing.length > 0 ? ` (incomplete: missing ${outcome.missing.join(", ")})` : ""}\n`,
    );
    return;
  }
  store.beginReport();
  if (scenario === null) {
    const missing = units.filter((u) => !assembled.includes(u.path.join("/"))).map(unitLabel);
    const files = await reportNetwork(
      dir,
      join(dir, "metrics.csv"),
      join(dir, "summary.json"),
      manifest.scenario,
      missing,
    );
    store.endReport(files, "report");
    return;
  }
  const finished = new Set(
    learning.filter((u) => assembled.includes(u.path.join("/"))).map((u) => `${u.learner.name}\u0000${u.seed}`),
  );
  const summaryPath = join(dir, "summary.json");
  const raw = existsSync(summaryPath) ? parseJson(readTextFile(summaryPath, "summary file"), summaryPath) : null;
  const files = await reportLearning(dir, scenario, manifest.seeds, finished, recordedEnvironment(raw), learning);
  store.endReport(files, "report");
}

async function reportLearning(
  dir: string,
  scenario: Scenario,
  seeds: readonly number[],
  finished: ReadonlySet<string> | null,
  environment: Environment | undefined,
  plan: readonly LearningUnit[] | null,
): Promise<string[]> {
  const csvPath = join(dir, "metrics.csv");
  const units = plan ?? planLearningUnits(scenario, seeds);
  const learners = units.filter((u) => u.first).map((u) => u.learner);
  const expected = {
    learners: learners.map((l) => l.name),
    seeds,
    epochs: scenario.epochs * (scenario.continual?.phases.length ?? 1),
  };
  const checked = checkMetricsCsv(
    readTextFile(csvPath, "metrics file (run `neurocompare run` first)"),
    csvPath,
    expected,
  );
  const missing = checkUnits(checked, csvPath, expected, finished);
  const optional = <T>(name: string, check: (text: string, path: string) => T, none: T): T => {
    const path = join(dir, name);
    return existsSync(path) ? check(readTextFile(path, `${name} (written by \`neurocompare run\`)`), path) : none;
  };
  const data = {
    rows: checked.rows,
    learners,
    weightHistograms: optional("weights.csv", (t, p) => checkWeightsCsv(t, p, expected), []),
    robustness: optional("robustness.csv", (t, p) => checkRobustnessCsv(t, p, expected), []),
    firingRates: optional("firing-rates.csv", (t, p) => checkFiringRatesCsv(t, p, expected), []),
  };
  // The rebuilt report names the versions that produced the numbers, as the run recorded them.
  const summary = summarize(
    { scenario, seeds: [...seeds], learners, rows: checked.rows, robustness: data.robustness },
    packageVersion,
    environment,
  );
  // Receptive-field images cannot be redrawn from the CSVs; the report keeps the ones the run drew.
  // File names come from the learners' names through receptiveFieldId, never the other way round.
  const images = learners.flatMap((l) => {
    const id = receptiveFieldId(l.name);
    const path = outputPath(dir, "charts", `${id}.png`);
    if (!existsSync(path)) return [];
    return [
      {
        id,
        title: `Receptive fields of ${l.name}`,
        caption: "The input weights of each neuron after training (first seed), as drawn by the run.",
        png: readFileSync(path),
      },
    ];
  });
  const notices =
    missing.length === 0
      ? []
      : [`Incomplete: ${missing.length} of ${units.length} units not finished yet: ${missing.join(", ")}.`];
  const diverged = summary.learners.filter((l) => l.diverged.length > 0);
  if (diverged.length > 0)
    notices.push(
      `Diverged: ${diverged.map((l) => `${l.name} (${l.diverged.map((d) => `seed ${d.seed} at epoch ${d.epoch}`).join(", ")})`).join("; ")}. Not ranked, not charted.`,
    );
  const written = await writeReport(dir, data, summary, images, undefined, notices);
  process.stdout.write(
    `Report rebuilt: ${join(dir, "report.html")}${missing.length > 0 ? ` (incomplete: missing ${missing.join(", ")})` : ""}\n`,
  );
  return written.files;
}

/** The environment summary.json recorded at run time, if it has a well-formed one. */
function recordedEnvironment(raw: unknown): Environment | undefined {
  const env = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["environment"] : undefined;
  if (typeof env !== "object" || env === null) return undefined;
  const e = env as Record<string, unknown>;
  if (typeof e["packageVersion"] !== "string" || typeof e["node"] !== "string" || typeof e["platform"] !== "string")
    return undefined;
  const deps: Environment["dependencies"] = {};
  if (typeof e["dependencies"] === "object" && e["dependencies"] !== null) {
    for (const [k, v] of Object.entries(e["dependencies"] as Record<string, unknown>)) {
      if (typeof v !== "object" || v === null) continue;
      const { declared, installed } = v as Record<string, unknown>;
      if (typeof declared === "string" && typeof installed === "string") deps[k] = { declared, installed };
    }
  }
  return { packageVersion: e["packageVersion"], node: e["node"], platform: e["platform"], dependencies: deps };
}

async function reportNetwork(
  dir: string,
  csvPath: string,
  summaryPath: string,
  rawScenario: unknown,
  missing: readonly string[],
): Promise<string[]> {
  const scenario = networkScenarioSchema.safeParse(rawScenario);
  if (!scenario.success) {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${summaryPath}: at $.scenario: expected the resolved network scenario written by \`neurocompare run\`, found an invalid one`,
    );
  }
  const parsed = networkCsvToRows(readTextFile(csvPath, "metrics file"));
  if (!("rows" in parsed)) {
    throw new ScenarioError(
      csvPath,
      [{ path: `line ${parsed.line}`, expected: parsed.expected, found: parsed.found, line: parsed.line }],
      "E_RESULTS_INVALID",
    );
  }
  const spikesPath = join(dir, "spikes.csv");
  const statePath = join(dir, "state.csv");
  const rec = recordingsFromCsv(
    scenario.data,
    readTextFile(spikesPath, "spikes file"),
    existsSync(statePath) ? readTextFile(statePath, "state file") : null,
  );
  const seeds = [...new Set(parsed.rows.map((r) => r.seed))].sort((a, b) => a - b);
  const notices = missing.length === 0 ? [] : [`Incomplete: units not finished yet: ${missing.join(", ")}.`];
  const written = await writeNetworkReport(
    dir,
    rec,
    summarizeNetworkRows(parsed.rows, scenario.data, seeds, packageVersion),
    notices,
  );
  process.stdout.write(
    `Report rebuilt: ${join(dir, "report.html")}${missing.length > 0 ? ` (incomplete: missing ${missing.join(", ")})` : ""}\n`,
  );
  return written.files;
}
