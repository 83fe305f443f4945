/**
 * `run(scenarioOrPath, options)`: the one call that runs a scenario from code,
 * and the whole of what `neurocompare run` does (the CLI command is a thin
 * face over it):
 *
 *   validate (the friendly ScenarioError the CLI prints) -> plan units ->
 *   build the first seed's learners (a config that fails when built fails
 *   before the folder is touched) -> open the results folder (new run, resume,
 *   or refusal) -> run the unfinished units (here, or on `jobs` threads) ->
 *   assemble the tables from the unit files in plan order -> write
 *   metrics.csv, summary.json, the other tables, charts and the report.
 *
 * A stop (the first Ctrl-C with `handleSignals`, or `signal` aborting) lets
 * the running units finish their epoch and checkpoint, then writes the
 * partial results and a report marked incomplete; the same call resumes.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { UserError } from "../core/errors.js";
import { fileComponent, outputPath } from "../core/paths.js";
import { collectEnvironment } from "../report/environment.js";
import { copyFileAtomic, writeFileAtomic } from "../core/files.js";
import { READ_LIMITS } from "../core/read-file.js";
import { assembleLearning } from "../runs/assemble.js";
import { executeUnits, type ExecuteEvents } from "../runs/execute.js";
import type { HookFactory } from "../runs/hooks.js";
import type { LearningUnitResult } from "../runs/learning-unit.js";
import {
  networkRows,
  networkRowsToCsv,
  spikesToCsv,
  stateToCsv,
  summarizeNetwork,
  type NetworkSummary,
} from "../runs/network-results.js";
import {
  planLearningUnits,
  planNetworkUnits,
  planRoutingUnits,
  unitLabel,
  type RoutingUnit,
  type Unit,
} from "../runs/plan.js";
import type { RoutingSummary } from "../runs/routing-results.js";
import type { RoutingRunResult } from "../runs/run-routing.js";
import type { RoutingScenario } from "../scenario/routing-schema.js";
import { summarize, type RunResult, type Summary } from "../runs/results.js";
import { defaultHookFactories } from "../runs/run.js";
import type { NetworkRunResult, Recordings, SeedRun } from "../runs/run-network.js";
import { shardUnits, type Shard } from "../runs/shard.js";
import { ResultsStore } from "../runs/store.js";
import { parseAnyScenarioText, type AnyScenario } from "../scenario/load.js";
import { readTextFile } from "../scenario/parse.js";
import { packageVersion } from "../version.js";

/** Exit codes of `neurocompare run` (and `RunOutcome.exitCode`). */
export const EXIT_OK = 0;
/** Every unit ran, and at least one diverged (its loss or weights became non-finite). */
export const EXIT_DIVERGED = 3;
/** Stopped (Ctrl-C) before every unit finished: partial results, resumable. */
export const EXIT_STOPPED = 130;

/** Options of {@link run}. */
export interface RunCallOptions {
  /** Results folder (default: results/<scenario name>, relative to the working directory). */
  out?: string;
  /** Seeds to run instead of the scenario's. */
  seeds?: number[];
  /** Units run at once: worker threads (default: the cores available, `os.availableParallelism()`). */
  jobs?: number;
  /** Remove another run's results files from `out` (only those) instead of refusing. */
  fresh?: boolean;
  /** Hook factories (default: pruning schedules); others than the default run in this process. */
  hooks?: readonly HookFactory[];
  /** Epoch, progress and unit events (the CLI's progress line). */
  events?: ExecuteEvents;
  /** Aborting it stops the run as the first Ctrl-C does. */
  signal?: AbortSignal;
  /** Handle SIGINT and SIGTERM: the first stops after the running epochs, the second exits at once (the CLI). */
  handleSignals?: boolean;
  /** Memory the run may use, in bytes (default: `os.totalmem()`); a run estimated larger is refused before it starts. */
  maxMemoryBytes?: number;
}

/** What every {@link RunOutcome} holds, whatever the scenario's kind. */
export interface RunOutcomeBase {
  dir: string;
  runId: string;
  /** Whether the folder already held this run (finished units were kept). */
  resumed: boolean;
  /** Every unit finished. */
  complete: boolean;
  /** Units not finished (after a stop), as "learner seed n". */
  missing: string[];
  /** Units whose training diverged. */
  diverged: { learner: string; seed: number; epoch: number }[];
  /** 0, 3 (a unit diverged) or 130 (stopped before the end). */
  exitCode: number;
  /** Files written outside units/. */
  files: string[];
  wallMs: number;
}

/** A learning scenario's outcome: learners trained on a task. */
export interface LearningRunOutcome extends RunOutcomeBase {
  kind: "learning";
  /** The assembled tables (metrics, comparisons, costs). */
  result: RunResult;
  summary: Summary;
}

/** A network scenario's outcome: a spiking network simulated with no task. */
export interface NetworkRunOutcome extends RunOutcomeBase {
  kind: "network";
  summary: NetworkSummary;
  network: NetworkRunResult;
}

/** A routing scenario's outcome (Navlakha et al. 2015's model). */
export interface RoutingRunOutcome extends RunOutcomeBase {
  kind: "routing";
  summary: RoutingSummary;
  routing: RoutingRunResult;
}

/**
 * What {@link run} did: the folder, whether every unit finished, diverged units, the exit code, the figures.
 * Split on `kind`, so that `if (outcome.kind === "learning")` gives `outcome.summary.learners` its type.
 */
export type RunOutcome = LearningRunOutcome | NetworkRunOutcome | RoutingRunOutcome;

/** A {@link RunOutcome} before its wall time is known (assembly, merge). */
export type AssembledOutcome =
  | Omit<LearningRunOutcome, "wallMs">
  | Omit<NetworkRunOutcome, "wallMs">
  | Omit<RoutingRunOutcome, "wallMs">;

/** Validates a scenario given as a path or as an object, with the same friendly errors as the CLI (and its text, for line numbers). */
export function resolveScenario(scenarioOrPath: string | object): { loaded: AnyScenario; file: string; text: string } {
  if (typeof scenarioOrPath === "string") {
    const text = readTextFile(scenarioOrPath, "scenario file", READ_LIMITS.scenario);
    return { loaded: parseAnyScenarioText(text, scenarioOrPath), file: scenarioOrPath, text };
  }
  const file = "<scenario object>";
  const text = JSON.stringify(scenarioOrPath);
  return { loaded: parseAnyScenarioText(text, file), file, text };
}

function checkOptions(o: RunCallOptions): void {
  if (
    o.seeds !== undefined &&
    (o.seeds.length === 0 ||
      o.seeds.some((s, i) => !Number.isInteger(s) || s < 0 || s > 2 ** 31 - 1 || o.seeds!.indexOf(s) !== i))
  )
    throw new UserError(
      "E_OPTION_INVALID",
      `seeds: expected a non-empty list of distinct integers from 0 to 2^31 - 1, found ${JSON.stringify(o.seeds)}`,
    );
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1 || o.jobs > 1024))
    throw new UserError(
      "E_OPTION_INVALID",
      `jobs: expected an integer from 1 to 1024, found ${JSON.stringify(o.jobs)}`,
    );
}

/**
 * Runs a scenario as `neurocompare run` does: validates it (a {@link ScenarioError} names every problem, before
 * anything is written), runs its units (resuming a folder that holds the same run, on `jobs` worker threads), and
 * writes metrics.csv, summary.json, the other tables, charts and the report into `out`.
 *
 * @param scenarioOrPath - a scenario file's path, or the scenario as an object.
 * @returns the outcome; its `exitCode` is what the CLI exits with (0, 3 when a unit diverged, 130 when stopped).
 * @throws {@link UserError} for a folder holding other files or a unit another process runs (exit 2).
 *
 * @example
 * ```ts
 * const outcome = await run("scenarios/xor.json", { out: "results/xor", seeds: [0, 1, 2] });
 * console.log(outcome.summary.learners.map((l) => l.name));
 * ```
 */
export async function run(scenarioOrPath: string | object, options: RunCallOptions = {}): Promise<RunOutcome> {
  const t0 = performance.now();
  const prepared = await prepareRun(scenarioOrPath, options);
  await executePrepared(prepared, options, undefined);
  const { store, units } = prepared;
  const outcome = await assembleLocked(store, units, { skipIfCurrent: false, waitMs: ASSEMBLY_WAIT_MS });
  if (outcome === null) throw new Error("internal: assembly skipped without skipIfCurrent");
  store.event({ event: "end", complete: outcome.complete, wallMs: Math.round(performance.now() - t0) });
  return { ...outcome, wallMs: performance.now() - t0 };
}

/** A validated scenario, its plan, and its results folder opened (created, resumed or refused). */
export interface PreparedRun {
  scenario: AnyScenario["scenario"];
  file: string;
  kind: "learning" | "network" | "routing";
  seeds: number[];
  hooks: readonly HookFactory[];
  units: Unit[];
  store: ResultsStore;
}

/**
 * Validates a scenario, plans its units, builds the first seed's learners (a
 * config that fails when built fails before the folder is touched) and opens
 * the results folder: what `run`, a shard and `neurocompare slurm` (which
 * claims the folder before it submits) do first.
 */
export async function prepareRun(
  scenarioOrPath: string | object,
  options: Pick<RunCallOptions, "out" | "seeds" | "jobs" | "fresh" | "hooks" | "maxMemoryBytes">,
): Promise<PreparedRun> {
  checkOptions(options);
  const resolved = resolveScenario(scenarioOrPath);
  const { file, text } = resolved;
  // The build phase `validate` runs: "nir" learners' files resolved against the scenario file and h5wasm
  // started; then resource bounds and the memory estimate, everything built (the first seed's learners, or the
  // network) and a trial of a few steps. Anything that fails fails here, before the folder is touched. The
  // network engine and its equation compiler load only for a network scenario.
  const { checkScenarioBuild, prepareScenarioBuild } = await import("../runs/build-check.js");
  const loaded = await prepareScenarioBuild(resolved.loaded, file, text);
  const scenario = loaded.scenario;
  const seeds = options.seeds ?? scenario.seeds;
  const hooks = options.hooks ?? defaultHookFactories;
  const kind = loaded.kind;
  const units: Unit[] =
    loaded.kind === "network"
      ? planNetworkUnits(seeds)
      : loaded.kind === "routing"
        ? planRoutingUnits(loaded.scenario, seeds)
        : planLearningUnits(loaded.scenario, seeds);
  checkScenarioBuild(loaded, file, {
    text,
    hooks,
    seed: seeds[0]!,
    // Units run on worker threads, `jobs` at once (in this thread with custom hooks).
    jobs:
      options.hooks !== undefined && options.hooks !== defaultHookFactories
        ? 1
        : (options.jobs ?? availableParallelism()),
    ...(options.maxMemoryBytes !== undefined ? { maxMemoryBytes: options.maxMemoryBytes } : {}),
  });
  const dir =
    options.out !== undefined ? resolve(options.out) : outputPath(resolve("results"), fileComponent(scenario.name));
  const store = ResultsStore.open({
    dir,
    kind,
    scenario,
    scenarioFile: typeof scenarioOrPath === "string" ? resolve(scenarioOrPath) : null,
    seeds,
    units,
    packageVersion,
    fresh: options.fresh ?? false,
  });
  return { scenario, file, kind, seeds, hooks, units, store };
}

/** Runs the prepared run's unfinished units (a shard's when `shard` is given), handling Ctrl-C and `signal`. */
async function executePrepared(p: PreparedRun, options: RunCallOptions, shard: Shard | undefined): Promise<void> {
  const { store, kind, scenario, file, seeds, hooks } = p;
  const jobs = options.jobs ?? availableParallelism();
  store.event({
    event: "start",
    scenario: scenario.name,
    seeds,
    packageVersion,
    jobs,
    resumed: store.resumed,
    ...(shard !== undefined ? { shard: `${shard.index}/${shard.count}` } : {}),
  });
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const requestStop = () => Atomics.store(stop, 0, 1);
  options.signal?.addEventListener("abort", requestStop);
  const onSigint = () => {
    requestStop();
    process.stderr.write("\nStopping after the running epochs (Ctrl-C again to quit at once)...\n");
    // The second Ctrl-C: Node's default, immediate exit, now that no listener is left.
  };
  // SIGTERM is how SLURM ends a job at its time limit (and Kubernetes a pod), with a grace period before SIGKILL
  // (SLURM's KillWait, 30 s by default): stop the same way, so the running epochs' checkpoints are written and the
  // units' locks released.
  const onSigterm = () => {
    requestStop();
    process.stderr.write("\nSIGTERM: stopping after the running epochs...\n");
  };
  if (options.handleSignals) {
    process.once("SIGINT", onSigint);
    process.once("SIGTERM", onSigterm);
  }
  const events = options.events ?? {};
  try {
    await executeUnits({
      store,
      job: { kind, scenario, scenarioFile: file, seeds },
      jobs,
      hooks,
      customHooks: options.hooks !== undefined && options.hooks !== defaultHookFactories,
      ...(shard !== undefined ? { only: shardUnits(p.units, shard).map((u) => u.index) } : {}),
      events: {
        ...events,
        onEpoch(record) {
          // One line per finished epoch, appended at once: an interrupted run keeps what it did.
          store.event({ event: "epoch", ...record });
          events.onEpoch?.(record);
        },
        onSeed(seedRun) {
          store.event({ event: "seed", ...seedRun });
          events.onSeed?.(seedRun);
        },
      },
      stop,
    });
  } finally {
    if (options.handleSignals) {
      process.removeListener("SIGINT", onSigint);
      process.removeListener("SIGTERM", onSigterm);
    }
    options.signal?.removeEventListener("abort", requestStop);
  }
}

/** How long a run or merge waits for another process that is writing the tables (a report of many units takes seconds). */
export const ASSEMBLY_WAIT_MS = 10 * 60 * 1000;

/**
 * Assembles the tables and report under the folder's assembly lock, so a
 * merge and the last shard never write them at the same time. Reads
 * files.json again first (another process may have written the tables since
 * this store was opened). With `skipIfCurrent`, returns null when the tables
 * already hold every finished unit (another shard or a merge wrote them).
 * @throws {@link UserError} E_OUTPUT_LOCKED when another process keeps the lock past `waitMs`.
 */
export async function assembleLocked(
  store: ResultsStore,
  units: readonly Unit[],
  o: { skipIfCurrent: boolean; waitMs: number },
): Promise<AssembledOutcome | null> {
  const holder = await store.lockAssembly(o.waitMs);
  if (holder !== null)
    throw new UserError(
      "E_OUTPUT_LOCKED",
      `${store.dir}: the tables are being written by process ${holder.pid} on ${holder.host} (since ${holder.since}); run \`neurocompare merge ${store.dir}\` once it is done, or delete ${outputPath(store.dir, "units", "_assembly.lock")} if that process is gone`,
    );
  try {
    store.reloadLedger();
    if (o.skipIfCurrent) {
      const assembled = store.assembledUnits();
      const finished = units.filter((u) => store.unitRecord(u) !== null).map((u) => u.path.join("/"));
      if (
        assembled !== null &&
        existsSync(outputPath(store.dir, "metrics.csv")) &&
        finished.every((u) => assembled.includes(u))
      )
        return null;
    }
    return await assembleAndReport(store, units);
  } finally {
    store.unlockAssembly();
  }
}

/** What {@link runShard} did. */
export interface ShardOutcome {
  dir: string;
  kind: "learning" | "network" | "routing";
  runId: string;
  shard: Shard;
  /** Whether the folder already held this run. */
  resumed: boolean;
  /** This shard's units, as "learner seed n" (none when there are more shards than units). */
  units: string[];
  /** Whether every unit of this shard finished (false after a stop). */
  shardComplete: boolean;
  /** Units of the whole run not finished yet, in plan order. */
  missing: string[];
  /** This shard's units whose training diverged. */
  diverged: { learner: string; seed: number; epoch: number }[];
  /**
   * The tables and report, when this shard found every unit of the run
   * finished and wrote them; null when units are missing (a merge assembles
   * them), or another process had written them already.
   */
  assembled: AssembledOutcome | null;
  /** 0, 3 (a unit of this shard diverged) or 130 (stopped before its units finished). */
  exitCode: number;
  wallMs: number;
}

/**
 * Runs one shard of a scenario's units (see runs/shard.ts for the split) into
 * a results folder that the other shards share: opens the folder as `run`
 * does (the first shard to start creates the manifest, the others adopt it),
 * runs the shard's unfinished units, and assembles the tables and report only
 * when it finds every unit of the run finished (the last shard to finish,
 * under the assembly lock); otherwise `neurocompare merge` assembles them.
 */
export async function runShard(
  scenarioOrPath: string | object,
  shard: Shard,
  options: RunCallOptions = {},
): Promise<ShardOutcome> {
  const t0 = performance.now();
  const prepared = await prepareRun(scenarioOrPath, options);
  const { store, units } = prepared;
  const mine = shardUnits(units, shard);
  await executePrepared(prepared, options, shard);
  const records = mine.map((u) => store.unitRecord(u));
  const shardComplete = records.every((r) => r !== null);
  const diverged = mine.flatMap((u, i) =>
    records[i]?.status === "diverged" && u.kind === "learning"
      ? [{ learner: u.learner.name, seed: u.seed, epoch: records[i]!.divergedEpoch ?? 0 }]
      : [],
  );
  const missing = units.filter((u) => store.unitRecord(u) === null).map(unitLabel);
  let assembled: AssembledOutcome | null = null;
  if (shardComplete && missing.length === 0) {
    try {
      assembled = await assembleLocked(store, units, { skipIfCurrent: true, waitMs: ASSEMBLY_WAIT_MS });
    } catch (e) {
      // The shard's own work is stored; a merge can still assemble (the message says how).
      if (!(e instanceof UserError) || e.code !== "E_OUTPUT_LOCKED") throw e;
      process.stderr.write(`warning: ${e.message}\n`);
    }
  }
  store.event({
    event: "end",
    shard: `${shard.index}/${shard.count}`,
    complete: missing.length === 0,
    wallMs: Math.round(performance.now() - t0),
  });
  return {
    dir: store.dir,
    kind: prepared.kind,
    runId: store.runId,
    shard,
    resumed: store.resumed,
    units: mine.map(unitLabel),
    shardComplete,
    missing,
    diverged,
    assembled,
    exitCode: !shardComplete ? EXIT_STOPPED : diverged.length > 0 ? EXIT_DIVERGED : EXIT_OK,
    wallMs: performance.now() - t0,
  };
}

/**
 * Reads the finished units of a store, writes the results tables and the
 * report (marked incomplete when units are missing) and returns what was
 * written. `run` calls it at the end; a merge of shards calls it too.
 */
export async function assembleAndReport(store: ResultsStore, units: readonly Unit[]): Promise<AssembledOutcome> {
  const m = store.manifest;
  const finished = units.filter((u) => store.unitRecord(u) !== null);
  const missing = units.filter((u) => !finished.includes(u)).map(unitLabel);
  const complete = missing.length === 0;
  const notices = complete
    ? []
    : [
        `Incomplete: ${finished.length} of ${units.length} units finished; missing ${missing.length > 8 ? `${missing.slice(0, 8).join(", ")} and ${missing.length - 8} more` : missing.join(", ")}. Run the same command again to resume.`,
      ];
  // Charts and rendering (vega, resvg) load only when a report is written.
  const { receptiveFieldImage, writeData, writeReport } = await import("../report/write.js");
  const { writeNetworkReport } = await import("../report/network-report.js");
  store.beginReport();
  store.setAssembled(finished);
  const files: string[] = [];
  const base = { dir: store.dir, runId: store.runId, resumed: store.resumed, complete, missing };
  if (m.kind === "routing") {
    const scenario = m.scenario as RoutingScenario;
    const { assembleRouting } = await import("../runs/run-routing.js");
    const { summarizeRouting } = await import("../runs/routing-results.js");
    const { writeRoutingData, writeRoutingReport } = await import("../report/routing-report.js");
    const plan = units.filter((u): u is RoutingUnit => u.kind === "routing");
    const done = plan.filter((u) => finished.includes(u));
    const routing = assembleRouting(
      scenario,
      m.seeds,
      plan,
      done.map((u) => store.readRouting(u)),
    );
    const summary = summarizeRouting(routing, m.packageVersion, collectEnvironment());
    files.push(...writeRoutingData(store.dir, routing.rows, routing.strategies, summary));
    files.push(...(await writeRoutingReport(store.dir, routing.rows, routing.strategies, summary, notices)).files);
    store.endReport(files);
    return {
      ...base,
      kind: "routing",
      diverged: [],
      exitCode: complete ? EXIT_OK : EXIT_STOPPED,
      summary,
      routing,
      files,
    };
  }
  if (m.kind === "network") {
    const results = finished.map((u) => store.readNetwork(u));
    const scenario = m.scenario as NetworkRunResult["scenario"];
    const empty: Recordings = { spikes: [], rates: [], traces: [], weights: [] };
    const network: NetworkRunResult = {
      scenario,
      seeds: m.seeds,
      runs: results.map((r): SeedRun => r.run),
      recordings: results.find((r) => r.recordings !== null)?.recordings ?? empty,
    };
    const summary = summarizeNetwork(network, m.packageVersion, collectEnvironment());
    const data: [string, string][] = [
      ["metrics.csv", networkRowsToCsv(networkRows(network))],
      ["summary.json", `${JSON.stringify(summary, null, 2)}\n`],
    ];
    for (const [name, text] of data) {
      writeFileAtomic(outputPath(store.dir, name), text);
      files.push(outputPath(store.dir, name));
    }
    // The recordings the first seed's unit streamed to its folder (from the recordings when it has none).
    const first = finished.find((u) => u.first);
    for (const [name, fallback] of [
      ["spikes.csv", spikesToCsv],
      ["state.csv", stateToCsv],
    ] as const) {
      const streamed = first === undefined ? null : store.unitRecording(first, name);
      if (streamed !== null) copyFileAtomic(streamed, outputPath(store.dir, name));
      else writeFileAtomic(outputPath(store.dir, name), fallback(network.recordings));
      files.push(outputPath(store.dir, name));
    }
    files.push(...(await writeNetworkReport(store.dir, network.recordings, summary, notices)).files);
    store.endReport(files);
    return {
      ...base,
      kind: "network",
      diverged: [],
      exitCode: complete ? EXIT_OK : EXIT_STOPPED,
      summary,
      network,
      files,
    };
  }
  const scenario = m.scenario as RunResult["scenario"];
  const unitResults: LearningUnitResult[] = finished.map((u) => store.readLearning(u));
  const result = assembleLearning(scenario, m.seeds, unitResults);
  const summary = summarize(result, m.packageVersion, collectEnvironment());
  const diverged = unitResults.flatMap((r) =>
    r.status === "diverged" ? [{ learner: r.learner, seed: r.seed, epoch: r.divergedEpoch ?? 0 }] : [],
  );
  if (diverged.length > 0)
    notices.push(
      `Diverged: ${diverged.map((d) => `${d.learner} seed ${d.seed} at epoch ${d.epoch}`).join(", ")} (loss or weights became non-finite; training stopped there). Not ranked, not charted.`,
    );
  files.push(...writeData(store.dir, result, summary));
  const images = result.receptiveFields.map((r) => receptiveFieldImage(r.learner, r.fields));
  files.push(...(await writeReport(store.dir, result, summary, images, undefined, notices)).files);
  store.endReport(files);
  const exitCode = !complete ? EXIT_STOPPED : diverged.length > 0 ? EXIT_DIVERGED : EXIT_OK;
  return { ...base, kind: "learning", diverged, exitCode, result, summary, files };
}
