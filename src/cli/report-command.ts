/**
 * `neurocompare report <dir>`: rebuild a run's charts and reports from its
 * files (metrics.csv, summary.json, and weights.csv, robustness.csv and
 * firing-rates.csv where present), no retraining; or, on a folder that holds
 * runs in its subfolders (results/), write its index.html listing them.
 */
import { basename, join, resolve } from "node:path";
import { ScenarioError, UserError } from "../core/errors.js";
import { receptiveFieldId, writeReport } from "../report/write.js";
import { outputPath } from "../core/paths.js";
import { parseJson, readTextFile } from "../scenario/parse.js";
import { csvToRows, summarize, type Environment } from "../runs/results.js";
import { routingScenarioSchema, routingStrategies } from "../scenario/routing-schema.js";
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
import { intervalText } from "../report/bounds.js";
import type { ComparisonEntry, IndexEntry } from "../report/index-page.js";
import type { RoutingSummary } from "../runs/routing-results.js";
import {
  childFolders,
  isNetworkRun,
  isRunFolder,
  manifestOf,
  readLearningRun,
  readNetworkRun,
  recordedEnvironment,
  runDate,
  runState,
} from "./run-folder.js";

export async function reportCommand(dirArg: string): Promise<void> {
  const dir = resolve(dirArg);
  if (!isRunFolder(dir)) {
    await reportIndex(dir, dirArg);
    return;
  }
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
    await reportNetwork(dir, csvPath, summaryPath, rawScenario, [], recordedEnvironment(raw));
    return;
  }
  if (
    typeof rawScenario === "object" &&
    rawScenario !== null &&
    (rawScenario as Record<string, unknown>)["kind"] === "routing"
  ) {
    await reportRoutingFiles(dir, csvPath, summaryPath, raw, rawScenario);
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
  const { scenario, units, learning, routing } = planFromManifest(dir, manifest);
  const finishedNow = units.filter((u) => store.unitRecord(u) !== null).map((u) => u.path.join("/"));
  const assembled = store.assembledUnits();
  // A routing run's tables come from its unit files alone: assembled afresh every time.
  if (
    routing ||
    assembled === null ||
    !existsSync(join(dir, "metrics.csv")) ||
    finishedNow.some((u) => !assembled.includes(u))
  ) {
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
    const summaryPath = join(dir, "summary.json");
    const raw = existsSync(summaryPath) ? parseJson(readTextFile(summaryPath, "summary file"), summaryPath) : null;
    const files = await reportNetwork(
      dir,
      join(dir, "metrics.csv"),
      summaryPath,
      manifest.scenario,
      missing,
      recordedEnvironment(raw),
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

async function reportNetwork(
  dir: string,
  csvPath: string,
  summaryPath: string,
  rawScenario: unknown,
  missing: readonly string[],
  environment: Environment | undefined,
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
    summarizeNetworkRows(parsed.rows, scenario.data, seeds, packageVersion, environment),
    notices,
  );
  process.stdout.write(
    `Report rebuilt: ${join(dir, "report.html")}${missing.length > 0 ? ` (incomplete: missing ${missing.join(", ")})` : ""}\n`,
  );
  return written.files;
}

/** index.html of a folder of runs: one row per run, then the comparisons there. */
async function reportIndex(dir: string, dirArg: string): Promise<void> {
  const { runs, comparisons } = childFolders(dir);
  if (runs.length === 0 && comparisons.length === 0) {
    throw new UserError(
      "E_FILE_NOT_FOUND",
      `${dirArg}: no run here (expected the manifest.json or summary.json and metrics.csv of \`neurocompare run\`, or folders that hold them)`,
    );
  }
  const { writeIndex } = await import("../report/index-page.js");
  const entries = runs.map((r) => indexEntry(r)).sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0));
  writeIndex(dir, entries, comparisons.map(comparisonEntry), packageVersion);
  process.stdout.write(`Index of ${entries.length} run(s): ${outputPath(dir, "index.html")}\n`);
}

/** A link from the index (in the parent folder) to a file inside a run folder. */
function reportLink(dir: string): string | null {
  return existsSync(outputPath(dir, "report.html")) ? `${basename(dir)}/report.html` : null;
}

/** A routing run's summary.json (the index shows each strategy's mean path length), or null for other runs. */
function routingSummaryOf(dir: string): RoutingSummary | null {
  const path = join(dir, "summary.json");
  if (!existsSync(path)) return null;
  const raw = parseJson(readTextFile(path, "summary file"), path);
  return typeof raw === "object" && raw !== null && (raw as Record<string, unknown>)["kind"] === "routing"
    ? (raw as RoutingSummary)
    : null;
}

/** One run's row of the index, read from what it recorded; a run that cannot be read is listed as such. */
function indexEntry(dir: string): IndexEntry {
  const state = runState(dir);
  const base = {
    label: basename(dir),
    report: reportLink(dir),
    date: runDate(dir),
    status: state.status,
    ...(state.total !== undefined ? { units: { finished: state.finished ?? 0, total: state.total } } : {}),
  };
  try {
    const routing = routingSummaryOf(dir);
    if (routing !== null) {
      return {
        ...base,
        scenario: routing.scenario.name,
        kind: "routing",
        members: routing.strategies.map((s) => s.name),
        seeds: routing.seeds,
        headline: routing.strategies
          .map((s) => {
            const r = intervalText(s.final["meanPathLength"], 2, "meanPathLength");
            return `${s.name} ${r.text}${r.text === "–" ? "" : " hops"}`;
          })
          .join("; "),
      };
    }
    if (isNetworkRun(dir)) {
      const run = readNetworkRun(dir);
      const groups = run.summary.groups;
      return {
        ...base,
        scenario: run.scenario.name,
        kind: "network",
        members: groups.map((g) => g.group),
        seeds: run.summary.seeds,
        headline: groups
          .map((g) => {
            const r = intervalText(g.final["meanRateHz"], 2, "meanRateHz");
            return `${g.group} ${r.text}${r.text === "–" ? "" : " Hz"}`;
          })
          .join("; "),
      };
    }
    const run = readLearningRun(dir);
    return {
      ...base,
      scenario: run.scenario.name,
      kind: "learning",
      members: run.summary.learners.map((l) => l.name),
      seeds: run.summary.seeds,
      headline: learningHeadline(run.summary),
    };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    // A run whose units finished after its last report has no tables yet: `report` on it assembles them.
    const manifest = manifestOf(dir);
    const members = [...new Set((manifest?.units ?? []).map((u) => u.label.replace(/ seed \d+$/, "")))];
    if (manifest !== null && !existsSync(join(dir, "summary.json")))
      return {
        ...base,
        scenario: manifest.scenario.name,
        kind: manifest.kind,
        members,
        seeds: manifest.seeds,
        headline: `${members.join(", ")}: no tables yet (run \`neurocompare report\` on this run to assemble them)`,
      };
    return { ...base, scenario: "–", kind: "unreadable", members: [], seeds: [], headline: "–", problem: e.message };
  }
}

function learningHeadline(summary: ReturnType<typeof readLearningRun>["summary"]): string {
  return summary.learners
    .map((l) => {
      const r = intervalText(l.final["finalTestAccuracy"] ?? l.final["testAccuracy"], 1, "finalTestAccuracy", 100);
      return `${l.name} ${r.text}${r.text === "–" ? "" : "%"}`;
    })
    .join("; ");
}

function comparisonEntry(dir: string): ComparisonEntry {
  const path = join(dir, "compare.json");
  let runs: string[] = [];
  try {
    const raw = parseJson(readTextFile(path, "comparison file"), path);
    const list = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["runs"] : undefined;
    if (Array.isArray(list))
      runs = list.flatMap((r) =>
        typeof r === "object" && r !== null && typeof (r as Record<string, unknown>)["label"] === "string"
          ? [(r as Record<string, unknown>)["label"] as string]
          : [],
      );
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
  }
  return { label: basename(dir), report: reportLink(dir), runs };
}

/** A routing results folder without a manifest: the report redrawn from metrics.csv and summary.json. */
async function reportRoutingFiles(
  dir: string,
  csvPath: string,
  summaryPath: string,
  raw: unknown,
  rawScenario: unknown,
): Promise<void> {
  const { summarizeRouting } = await import("../runs/routing-results.js");
  const { writeRoutingReport } = await import("../report/routing-report.js");
  const scenario = routingScenarioSchema.safeParse(rawScenario);
  if (!scenario.success) {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${summaryPath}: at $.scenario: expected the resolved routing scenario written by \`neurocompare run\`, found an invalid one`,
    );
  }
  const parsed = csvToRows(readTextFile(csvPath, "metrics file (run `neurocompare run` first)"));
  if (!("rows" in parsed)) {
    throw new ScenarioError(
      csvPath,
      [{ path: `line ${parsed.line}`, expected: parsed.expected, found: parsed.found, line: parsed.line }],
      "E_RESULTS_INVALID",
    );
  }
  const present = new Set(parsed.rows.map((r) => r.learner));
  const strategies = routingStrategies(scenario.data)
    .map((s) => s.info)
    .filter((s) => present.has(s.name));
  const seeds = [...new Set(parsed.rows.map((r) => r.seed))].sort((a, b) => a - b);
  const summary = summarizeRouting(
    { scenario: scenario.data, seeds, strategies, rows: parsed.rows },
    packageVersion,
    recordedEnvironment(raw),
  );
  await writeRoutingReport(dir, parsed.rows, strategies, summary);
  process.stdout.write(`Report rebuilt: ${join(dir, "report.html")}\n`);
}
