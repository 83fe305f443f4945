/** `neurocompare run <scenario.json> [--out DIR] [--seeds N]`: train, evaluate, write results and report. */
import { appendFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileComponent, outputPath } from "../core/paths.js";
import { receptiveFieldImage, writeData, writeFileAtomic, writeReport } from "../report/write.js";
import { collectEnvironment } from "../report/environment.js";
import { writeNetworkReport } from "../report/network-report.js";
import { loadAnyScenario } from "../scenario/load.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import { networkRows, networkRowsToCsv, spikesToCsv, stateToCsv, summarizeNetwork } from "../runs/network-results.js";
import { summarize } from "../runs/results.js";
import { runNetworkScenario } from "../runs/run-network.js";
import { runScenario } from "../runs/run.js";
import type { Scenario } from "../scenario/schema.js";
import { packageVersion } from "../version.js";
import { parsePositiveInt } from "./options.js";
import { progressObserver } from "./progress.js";

export interface RunCommandOptions {
  out?: string;
  seeds?: string;
  quiet?: boolean;
}

function chooseSeeds(scenarioSeeds: number[], option: string | undefined): number[] {
  if (option === undefined) return scenarioSeeds;
  const n = parsePositiveInt(option, "--seeds");
  const first = scenarioSeeds[0] ?? 0;
  return Array.from({ length: n }, (_, i) => first + i);
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<void> {
  const loaded = loadAnyScenario(file);
  const seeds = chooseSeeds(loaded.scenario.seeds, opts.seeds);
  const dir = opts.out !== undefined ? resolve(opts.out) : outputPath("results", fileComponent(loaded.scenario.name));
  if (loaded.kind === "network") await runNetwork(loaded.scenario, file, seeds, dir, opts);
  else await runLearning(loaded.scenario, seeds, dir, opts);
}

async function runNetwork(
  scenario: NetworkScenario,
  file: string,
  seeds: number[],
  dir: string,
  opts: RunCommandOptions,
): Promise<void> {
  const t0 = performance.now();
  let eventsPath: string | null = null;
  const result = runNetworkScenario(scenario, file, {
    seeds,
    onSeed(run) {
      if (eventsPath === null) {
        // The first seed built and ran, so the scenario is sound: now touch the folder.
        mkdirSync(dir, { recursive: true });
        eventsPath = outputPath(dir, "events.jsonl");
        writeFileAtomic(
          eventsPath,
          `${JSON.stringify({ event: "start", scenario: scenario.name, seeds, packageVersion })}\n`,
        );
      }
      appendFileSync(eventsPath, `${JSON.stringify({ event: "seed", ...run })}\n`);
      if (!opts.quiet) {
        const rates = run.groups.map((g) => `${g.group} ${g.meanRateHz.toFixed(2)} Hz`).join(", ");
        process.stderr.write(
          `seed=${run.seed} synapses=${run.synapses} buildMs=${run.buildMs.toFixed(0)} simMs=${run.simMs.toFixed(0)} ${rates}\n`,
        );
      }
    },
  });
  const summary = summarizeNetwork(result, packageVersion);
  writeFileAtomic(outputPath(dir, "metrics.csv"), networkRowsToCsv(networkRows(result)));
  writeFileAtomic(outputPath(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomic(outputPath(dir, "spikes.csv"), spikesToCsv(result.recordings));
  writeFileAtomic(outputPath(dir, "state.csv"), stateToCsv(result.recordings));
  await writeNetworkReport(dir, result.recordings, summary);
  appendFileSync(
    outputPath(dir, "events.jsonl"),
    `${JSON.stringify({ event: "end", wallMs: Math.round(performance.now() - t0) })}\n`,
  );
  for (const g of summary.groups) {
    const r = g.final["meanRateHz"]!;
    process.stdout.write(
      `${g.group}: mean rate ${r.mean.toFixed(2)} Hz${r.n > 1 ? ` ± ${r.halfWidth.toFixed(2)} (95% CI, ${r.n} seeds)` : ""}\n`,
    );
  }
  process.stdout.write(
    `Finished in ${((performance.now() - t0) / 1000).toFixed(1)} s. Report: ${outputPath(dir, "report.html")}\n`,
  );
}

async function runLearning(scenario: Scenario, seeds: number[], dir: string, opts: RunCommandOptions): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const eventsPath = outputPath(dir, "events.jsonl");
  writeFileAtomic(
    eventsPath,
    `${JSON.stringify({ event: "start", scenario: scenario.name, seeds, packageVersion })}\n`,
  );
  const progress = opts.quiet ? undefined : progressObserver(process.stderr);
  const t0 = performance.now();
  const result = runScenario(scenario, {
    seeds,
    observer: {
      onProgress: progress?.onProgress,
      onEpoch(record) {
        // One line per finished epoch, appended at once: an interrupted run keeps what it did.
        appendFileSync(eventsPath, `${JSON.stringify({ event: "epoch", ...record })}\n`);
        progress?.onEpoch?.(record);
      },
    },
  });
  const summary = summarize(result, packageVersion, collectEnvironment());
  writeData(dir, result, summary);
  const images = result.receptiveFields.map((r) => receptiveFieldImage(r.learner, r.fields));
  await writeReport(dir, result, summary, images);
  appendFileSync(eventsPath, `${JSON.stringify({ event: "end", wallMs: Math.round(performance.now() - t0) })}\n`);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  for (const l of summary.learners) {
    const acc = l.final["testAccuracy"];
    if (acc !== undefined) {
      const ci = acc.n > 1 ? ` ± ${(100 * acc.halfWidth).toFixed(2)} (95% CI, ${acc.n} seeds)` : "";
      process.stdout.write(`${l.name}: test accuracy ${(100 * acc.mean).toFixed(2)}%${ci}\n`);
    }
  }
  process.stdout.write(`Finished in ${seconds} s. Report: ${outputPath(dir, "report.html")}\n`);
}
