/**
 * Reading a run back from its folder, for `report` and `compare`: what a
 * folder holds (one run, runs in its subfolders, a comparison), a learning
 * run's data and summary, a network run's recordings and summary, and the
 * few facts the index of runs lists (scenario, date, learners, headline
 * figures, whether the run is complete).
 *
 * A folder is a run when it holds the files a run writes first and last:
 * summary.json or metrics.csv (`isRunFolder`, the one place to change when
 * a run manifest marks a run instead).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { ScenarioError, UserError } from "../core/errors.js";
import { outputPath } from "../core/paths.js";
import { receptiveFieldId } from "../report/files.js";
import type { ReportImage } from "../report/html.js";
import type { ReportData } from "../report/write.js";
import {
  networkCsvToRows,
  recordingsFromCsv,
  summarizeNetworkRows,
  type NetworkRow,
  type NetworkSummary,
} from "../runs/network-results.js";
import { networkScenarioSchema, type NetworkScenario } from "../scenario/network-schema.js";
import { parseJson, readTextFile } from "../scenario/parse.js";
import {
  csvToFiringRates,
  csvToHistograms,
  csvToRobustness,
  csvToRows,
  summarize,
  type Environment,
  type LearnerInfo,
  type Summary,
} from "../runs/results.js";
import type { Recordings } from "../runs/run-network.js";
import { scenarioSchema, type Scenario } from "../scenario/schema.js";
import { ResultsStore, type Manifest } from "../runs/store.js";
import { packageVersion } from "../version.js";

/** Whether `dir` holds a run: its manifest, or (a folder written before runs had one) its summary.json or metrics.csv. */
export function isRunFolder(dir: string): boolean {
  return ["manifest.json", "summary.json", "metrics.csv"].some((name) => existsSync(join(dir, name)));
}

/** Whether `dir` holds a comparison written by `neurocompare compare`. */
export function isCompareFolder(dir: string): boolean {
  return existsSync(join(dir, "compare.json"));
}

/** The subfolders of `dir` that hold runs or comparisons, by name. */
export function childFolders(dir: string): { runs: string[]; comparisons: string[] } {
  let names: string[] = [];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b));
  } catch {
    return { runs: [], comparisons: [] };
  }
  const paths = names.map((n) => join(dir, n));
  return { runs: paths.filter(isRunFolder), comparisons: paths.filter(isCompareFolder) };
}

function resultsError(file: string, parsed: { line: number; expected: string; found: string }): ScenarioError {
  return new ScenarioError(
    file,
    [{ path: `line ${parsed.line}`, expected: parsed.expected, found: parsed.found, line: parsed.line }],
    "E_RESULTS_INVALID",
  );
}

/** summary.json as JSON, and its resolved scenario (unchecked). */
function readRawSummary(dir: string): { raw: unknown; rawScenario: unknown; path: string } {
  const path = join(dir, "summary.json");
  const raw = parseJson(readTextFile(path, "summary file (run `neurocompare run` first)"), path);
  const rawScenario = isObject(raw) ? raw["scenario"] : undefined;
  return { raw, rawScenario, path };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Whether the run in `dir` is a network run (its summary's scenario says kind "network"). */
export function isNetworkRun(dir: string): boolean {
  const { rawScenario } = readRawSummary(dir);
  return isObject(rawScenario) && rawScenario["kind"] === "network";
}

export interface LearningRun {
  dir: string;
  scenario: Scenario;
  data: ReportData;
  summary: Summary;
  images: ReportImage[];
}

/** A learning run read back from metrics.csv, summary.json and the optional CSV files. */
export function readLearningRun(dir: string): LearningRun {
  const { raw, rawScenario, path: summaryPath } = readRawSummary(dir);
  const csvPath = join(dir, "metrics.csv");
  const parsed = csvToRows(readTextFile(csvPath, "metrics file (run `neurocompare run` first)"));
  if (!("rows" in parsed)) throw resultsError(csvPath, parsed);
  const scenario = scenarioSchema.safeParse(rawScenario);
  if (!scenario.success) {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${summaryPath}: at $.scenario: expected the resolved scenario written by \`neurocompare run\`, found ${rawScenario === undefined ? "nothing" : "an invalid scenario"}`,
    );
  }
  const learners = learnerInfos(
    raw,
    scenario.data,
    parsed.rows.map((r) => r.learner),
    parsed.params,
  );
  const seeds = [...new Set(parsed.rows.map((r) => r.seed))].sort((a, b) => a - b);
  const optional = (name: string) => {
    const path = join(dir, name);
    return existsSync(path) ? readTextFile(path, `${name} (written by \`neurocompare run\`)`) : null;
  };
  const weightsCsv = optional("weights.csv");
  const robustnessCsv = optional("robustness.csv");
  const ratesCsv = optional("firing-rates.csv");
  const data: ReportData = {
    rows: parsed.rows,
    learners,
    weightHistograms: weightsCsv === null ? [] : csvToHistograms(weightsCsv),
    robustness: robustnessCsv === null ? [] : csvToRobustness(robustnessCsv),
    firingRates: ratesCsv === null ? [] : csvToFiringRates(ratesCsv),
  };
  // The rebuilt report names the versions that produced the numbers, as the run recorded them.
  const summary = summarize(
    { scenario: scenario.data, seeds, learners, rows: parsed.rows, robustness: data.robustness },
    packageVersion,
    recordedEnvironment(raw),
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
  return { dir, scenario: scenario.data, data, summary, images };
}

export interface NetworkRun {
  dir: string;
  scenario: NetworkScenario;
  rows: NetworkRow[];
  recordings: Recordings;
  summary: NetworkSummary;
}

/** A network run read back from metrics.csv, summary.json, spikes.csv and state.csv. */
export function readNetworkRun(dir: string): NetworkRun {
  const { raw, rawScenario, path: summaryPath } = readRawSummary(dir);
  const scenario = networkScenarioSchema.safeParse(rawScenario);
  if (!scenario.success) {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${summaryPath}: at $.scenario: expected the resolved network scenario written by \`neurocompare run\`, found an invalid one`,
    );
  }
  const csvPath = join(dir, "metrics.csv");
  const parsed = networkCsvToRows(readTextFile(csvPath, "metrics file"));
  if (!("rows" in parsed)) throw resultsError(csvPath, parsed);
  const spikesPath = join(dir, "spikes.csv");
  const statePath = join(dir, "state.csv");
  const recordings = recordingsFromCsv(
    scenario.data,
    readTextFile(spikesPath, "spikes file"),
    existsSync(statePath) ? readTextFile(statePath, "state file") : null,
  );
  const seeds = [...new Set(parsed.rows.map((r) => r.seed))].sort((a, b) => a - b);
  const summary = summarizeNetworkRows(parsed.rows, scenario.data, seeds, packageVersion, recordedEnvironment(raw));
  return { dir, scenario: scenario.data, rows: parsed.rows, recordings, summary };
}

/**
 * The learners in scenario order with their type, base and swept settings:
 * from summary.json where it lists them, else from the CSV's learner names
 * and parameter columns matched against the scenario's learners.
 */
function learnerInfos(
  raw: unknown,
  scenario: Scenario,
  csvLearners: readonly string[],
  params: ReadonlyMap<string, Record<string, string | number | boolean>>,
): LearnerInfo[] {
  const names = [...new Set(csvLearners)];
  const listed = isObject(raw) ? raw["learners"] : undefined;
  const recorded = new Map<string, LearnerInfo>();
  if (Array.isArray(listed)) {
    for (const l of listed as unknown[]) {
      if (!isObject(l)) continue;
      const { name, type, base, params: p } = l;
      if (typeof name !== "string" || typeof type !== "string") continue;
      const cleanParams: Record<string, string | number | boolean> = {};
      if (isObject(p)) {
        for (const [k, v] of Object.entries(p))
          if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") cleanParams[k] = v;
      }
      recorded.set(name, { name, type, base: typeof base === "string" ? base : name, params: cleanParams });
    }
  }
  const configured = scenario.learners.map((l) => ({ name: l.name ?? l.type, type: l.type }));
  const fromCsv = (name: string): LearnerInfo => {
    // A sweep point is labelled "<base> <settings>": the longest scenario name it starts with is its base.
    const base = configured
      .filter((c) => name === c.name || name.startsWith(`${c.name} `))
      .sort((a, b) => b.name.length - a.name.length)[0];
    return { name, type: base?.type ?? "unknown", base: base?.name ?? name, params: params.get(name) ?? {} };
  };
  const infos = names.map((name) => recorded.get(name) ?? fromCsv(name));
  // Scenario order where summary.json recorded it (the colour order of every chart), CSV order otherwise.
  const order = [...recorded.keys()];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length + names.indexOf(n));
  return infos.sort((a, b) => rank(a.name) - rank(b.name));
}

/** The environment summary.json recorded at run time, if it has a well-formed one. */
export function recordedEnvironment(raw: unknown): Environment | undefined {
  const env = isObject(raw) ? raw["environment"] : undefined;
  if (!isObject(env)) return undefined;
  if (
    typeof env["packageVersion"] !== "string" ||
    typeof env["node"] !== "string" ||
    typeof env["platform"] !== "string"
  )
    return undefined;
  const deps: Environment["dependencies"] = {};
  if (isObject(env["dependencies"])) {
    for (const [k, v] of Object.entries(env["dependencies"])) {
      if (!isObject(v)) continue;
      const { declared, installed } = v;
      if (typeof declared === "string" && typeof installed === "string") deps[k] = { declared, installed };
    }
  }
  return { packageVersion: env["packageVersion"], node: env["node"], platform: env["platform"], dependencies: deps };
}

/** The manifest of a run folder, or null without one (or with one that cannot be read: the run is then listed as it is). */
export function manifestOf(dir: string): Manifest | null {
  try {
    return ResultsStore.readManifest(dir);
  } catch (e) {
    if (e instanceof UserError) return null;
    throw e;
  }
}

/**
 * Whether a run finished. With a manifest: "complete" when every unit it
 * plans has recorded its end (units/.../unit.json), "incomplete" otherwise
 * (interrupted, or still running), with the counts. A folder written before
 * runs had manifests: "complete" when its log records the end, "incomplete"
 * when it stops before, "unknown" without a log.
 */
export function runState(dir: string): {
  status: "complete" | "incomplete" | "unknown";
  finished?: number;
  total?: number;
} {
  const manifest = manifestOf(dir);
  if (manifest !== null) {
    const total = manifest.units.length;
    const finished = manifest.units.filter((u) => existsSync(join(dir, ...u.path.split("/"), "unit.json"))).length;
    return { status: finished === total ? "complete" : "incomplete", finished, total };
  }
  const path = join(dir, "events.jsonl");
  if (!existsSync(path)) return { status: "unknown" };
  const lines = readFileSync(path, "utf8").trim().split("\n");
  return { status: lines.some((l) => /"event"\s*:\s*"end"/.test(l)) ? "complete" : "incomplete" };
}

/** When the run was created (its manifest), else when it last wrote its results; null when neither is known. */
export function runDate(dir: string): Date | null {
  const created = manifestOf(dir)?.created;
  if (created !== undefined && Number.isFinite(Date.parse(created))) return new Date(created);
  for (const name of ["summary.json", "metrics.csv"]) {
    const path = join(dir, name);
    if (existsSync(path)) return statSync(path).mtime;
  }
  return null;
}

/** Short display names for run folders: each folder's name, with its parent's when two share one, numbered if still alike. */
export function runLabels(dirs: readonly string[]): string[] {
  const names = dirs.map((d) => basename(d));
  const labels = dirs.map((d, i) =>
    names.filter((n) => n === names[i]).length > 1 ? `${basename(join(d, ".."))}/${names[i]}` : names[i]!,
  );
  return labels.map((l, i) => (labels.filter((x) => x === l).length > 1 ? `${l} #${i + 1}` : l));
}
