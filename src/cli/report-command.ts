/** `neurocompare report <resultsDir>`: rebuild charts and reports from metrics.csv + summary.json, no retraining. */
import { join, resolve } from "node:path";
import { ScenarioError, UserError } from "../core/errors.js";
import { writeReport } from "../report/write.js";
import { parseJson, readTextFile } from "../scenario/parse.js";
import { csvToHistograms, csvToRows, summarize, type LearnerInfo } from "../scenario/results.js";
import { scenarioSchema } from "../scenario/schema.js";
import { networkScenarioSchema } from "../scenario/network-schema.js";
import { networkCsvToRows, recordingsFromCsv, summarizeNetworkRows } from "../scenario/network-results.js";
import { writeNetworkReport } from "../report/network-report.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { packageVersion } from "../version.js";

export async function reportCommand(dirArg: string): Promise<void> {
  const dir = resolve(dirArg);
  const csvPath = join(dir, "metrics.csv");
  const summaryPath = join(dir, "summary.json");
  const raw = parseJson(readTextFile(summaryPath, "summary file (run `neurocompare run` first)"), summaryPath);
  const rawScenario = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["scenario"] : undefined;
  const isNetwork = typeof rawScenario === "object" && rawScenario !== null && (rawScenario as Record<string, unknown>)["kind"] === "network";
  if (isNetwork) {
    await reportNetwork(dir, csvPath, summaryPath, rawScenario);
    return;
  }
  const parsed = csvToRows(readTextFile(csvPath, "metrics file (run `neurocompare run` first)"));
  if (!("rows" in parsed)) {
    throw new ScenarioError(csvPath, [{ path: `line ${parsed.line}`, expected: parsed.expected, found: parsed.found, line: parsed.line }], "E_RESULTS_INVALID");
  }
  const scenario = scenarioSchema.safeParse(rawScenario);
  if (!scenario.success) {
    throw new UserError("E_RESULTS_INVALID", `${summaryPath}: at $.scenario: expected the resolved scenario written by \`neurocompare run\`, found ${rawScenario === undefined ? "nothing" : "an invalid scenario"}`);
  }
  const names = [...new Set(parsed.rows.map((r) => r.learner))];
  const typeOf = new Map(scenario.data.learners.map((l) => [l.name ?? l.type, l.type] as const));
  const learners: LearnerInfo[] = names.map((name) => ({ name, type: typeOf.get(name) ?? "unknown" }));
  const seeds = [...new Set(parsed.rows.map((r) => r.seed))].sort((a, b) => a - b);
  const summary = summarize({ scenario: scenario.data, seeds, learners, rows: parsed.rows }, packageVersion);
  const weightsPath = join(dir, "weights.csv");
  const histograms = existsSync(weightsPath) ? csvToHistograms(readTextFile(weightsPath, "weights file")) : [];
  // Receptive-field images cannot be redrawn from the CSVs; the report keeps the ones the run drew.
  const chartDir = join(dir, "charts");
  const images = (existsSync(chartDir) ? readdirSync(chartDir) : [])
    .filter((f) => /^receptive-fields-.+\.png$/.test(f))
    .sort()
    .map((f) => {
      const learner = f.slice("receptive-fields-".length, -4);
      return { id: f.slice(0, -4), title: `Receptive fields of ${learner}`, caption: "The input weights of each neuron after training (first seed), as drawn by the run.", png: readFileSync(join(chartDir, f)) };
    });
  await writeReport(dir, parsed.rows, summary, histograms, images);
  process.stdout.write(`Report rebuilt: ${join(dir, "report.html")}\n`);
}

async function reportNetwork(dir: string, csvPath: string, summaryPath: string, rawScenario: unknown): Promise<void> {
  const scenario = networkScenarioSchema.safeParse(rawScenario);
  if (!scenario.success) {
    throw new UserError("E_RESULTS_INVALID", `${summaryPath}: at $.scenario: expected the resolved network scenario written by \`neurocompare run\`, found an invalid one`);
  }
  const parsed = networkCsvToRows(readTextFile(csvPath, "metrics file"));
  if (!("rows" in parsed)) {
    throw new ScenarioError(csvPath, [{ path: `line ${parsed.line}`, expected: parsed.expected, found: parsed.found, line: parsed.line }], "E_RESULTS_INVALID");
  }
  const spikesPath = join(dir, "spikes.csv");
  const statePath = join(dir, "state.csv");
  const rec = recordingsFromCsv(scenario.data, readTextFile(spikesPath, "spikes file"), existsSync(statePath) ? readTextFile(statePath, "state file") : null);
  const seeds = [...new Set(parsed.rows.map((r) => r.seed))].sort((a, b) => a - b);
  await writeNetworkReport(dir, rec, summarizeNetworkRows(parsed.rows, scenario.data, seeds, packageVersion));
  process.stdout.write(`Report rebuilt: ${join(dir, "report.html")}\n`);
}
