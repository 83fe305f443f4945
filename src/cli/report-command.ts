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
import {
  csvToFiringRates,
  csvToHistograms,
  csvToRobustness,
  csvToRows,
  summarize,
  type Environment,
  type LearnerInfo,
} from "../runs/results.js";
import type { Scenario } from "../scenario/schema.js";
import { scenarioSchema } from "../scenario/schema.js";
import { networkScenarioSchema } from "../scenario/network-schema.js";
import { networkCsvToRows, recordingsFromCsv, summarizeNetworkRows } from "../runs/network-results.js";
import { writeNetworkReport } from "../report/network-report.js";
import { existsSync, readFileSync } from "node:fs";
import { packageVersion } from "../version.js";

export async function reportCommand(dirArg: string): Promise<void> {
  const dir = resolve(dirArg);
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
    await reportNetwork(dir, csvPath, summaryPath, rawScenario);
    return;
  }
  const parsed = csvToRows(readTextFile(csvPath, "metrics file (run `neurocompare run` first)"));
  if (!("rows" in parsed)) {
    throw new ScenarioError(
      csvPath,
      [{ path: `line ${parsed.line}`, expected: parsed.expected, found: parsed.found, line: parsed.line }],
      "E_RESULTS_INVALID",
    );
  }
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
  const data = {
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
  await writeReport(dir, data, summary, images);
  process.stdout.write(`Report rebuilt: ${join(dir, "report.html")}\n`);
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
  const listed = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["learners"] : undefined;
  const recorded = new Map<string, LearnerInfo>();
  if (Array.isArray(listed)) {
    for (const l of listed as unknown[]) {
      if (typeof l !== "object" || l === null) continue;
      const { name, type, base, params: p } = l as Record<string, unknown>;
      if (typeof name !== "string" || typeof type !== "string") continue;
      const cleanParams: Record<string, string | number | boolean> = {};
      if (typeof p === "object" && p !== null) {
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

async function reportNetwork(dir: string, csvPath: string, summaryPath: string, rawScenario: unknown): Promise<void> {
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
  await writeNetworkReport(dir, rec, summarizeNetworkRows(parsed.rows, scenario.data, seeds, packageVersion));
  process.stdout.write(`Report rebuilt: ${join(dir, "report.html")}\n`);
}
