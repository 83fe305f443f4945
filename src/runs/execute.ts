/**
 * Runs a plan's unfinished units against a results store: in this process
 * (one job, or hooks that cannot cross a thread), or in a pool of worker
 * threads (tinypool: a small, dependency-free pool kept by the vitest team;
 * threads share the machine's memory and start faster than processes). Every
 * unit is locked for the whole execution; a unit that another live process
 * holds is refused before anything runs.
 *
 * Stopping (the first Ctrl-C): `stop` is a shared flag; each running unit
 * finishes its epoch and checkpoint, then stops, and units not started yet do
 * not start. What finished is stored; the rest resumes at the next run.
 */
import { existsSync } from "node:fs";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { UserError } from "../core/errors.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import type { RoutingScenario } from "../scenario/routing-schema.js";
import type { Scenario } from "../scenario/schema.js";
import type { HookFactory } from "./hooks.js";
import { nirReady } from "../snn/nir/hdf5.js";
import { runLearningUnitAsync, TaskCache, type EpochRecord } from "./learning-unit.js";
import { planLearningUnits, planNetworkUnits, planRoutingUnits, unitLabel, type Unit } from "./plan.js";
import type { SeedRun } from "./run-network.js";
import type { ResultsStore } from "./store.js";
import { formatBytes } from "../core/read-file.js";
import { OUTPUT_LIMITS } from "../scenario/resources.js";

/** What a worker needs to run one unit: plain data that crosses a thread. */
export interface UnitJob {
  kind: "learning" | "network" | "routing";
  scenario: Scenario | NetworkScenario | RoutingScenario;
  scenarioFile: string;
  seeds: number[];
  unitIndex: number;
}

/** Events of a run as it goes: epochs, progress within an epoch, network seeds, units finished (the CLI's progress line). */
export interface ExecuteEvents {
  /**
   * Before any unit runs: units in the plan, those already finished, the epochs left to run, and the epochs
   * of one unit (a continual run's phases counted; a routing unit's intervals; 1 for a network seed).
   */
  onStart?(total: number, finished: number, epochsToRun: number, epochsPerUnit: number): void;
  /** A learning unit finished an epoch (its checkpoint is written). */
  onEpoch?(record: EpochRecord): void;
  /** Part of an epoch done (`fraction` in 0..1), about 20 times per epoch. */
  onProgress?(learner: string, seed: number, epoch: number, fraction: number): void;
  /** A network scenario's seed finished. */
  onSeed?(run: SeedRun): void;
  /** A unit finished (done or diverged), named as "learner seed n": how many of the plan's units are finished now. */
  onUnitFinished?(label: string, finished: number, total: number): void;
}

/** Messages from a worker to the main thread, one per event. */
export type WorkerMessage =
  | { type: "epoch"; record: EpochRecord }
  | { type: "progress"; learner: string; seed: number; epoch: number; fraction: number }
  | { type: "seed"; run: SeedRun }
  /** The last message of a unit: every event before it has been posted. */
  | { type: "end" };

export function planOf(job: Pick<UnitJob, "kind" | "scenario" | "seeds">): Unit[] {
  if (job.kind === "routing") return planRoutingUnits(job.scenario as RoutingScenario, job.seeds);
  return job.kind === "learning" ? planLearningUnits(job.scenario as Scenario, job.seeds) : planNetworkUnits(job.seeds);
}

/**
 * Runs one unit and stores what it produced: used in this process and by the
 * worker (unit-worker.ts), so both write the same files.
 */
export async function runStoredUnit(
  store: ResultsStore,
  job: UnitJob,
  hooks: readonly HookFactory[],
  tasks: TaskCache,
  events: ExecuteEvents,
  shouldStop: () => boolean,
): Promise<"finished" | "stopped"> {
  const unit = planOf(job)[job.unitIndex];
  if (unit === undefined) throw new Error(`internal: unit ${job.unitIndex} is not in the plan`);
  if (unit.kind === "network") {
    // The network engine (and its equation compiler) loads only for network scenarios.
    const { runNetworkUnitAsync } = await import("./run-network.js");
    const outcome = await runNetworkUnitAsync({
      scenario: job.scenario as NetworkScenario,
      file: job.scenarioFile,
      seed: unit.seed,
      record: unit.first,
      checkpoint: store.readCheckpoint(unit),
      saveCheckpoint: (bytes) => store.writeCheckpoint(unit, bytes),
      shouldStop,
      onProgress: (fraction) => events.onProgress?.("network", unit.seed, 1, fraction),
      // The first seed's spikes.csv and state.csv stream into the unit's folder as it runs (memory stays
      // bounded however long the run); the results folder gets them when the run is assembled.
      files: {
        open: (name) => store.openRecording(unit, name, OUTPUT_LIMITS.csvBytes),
        resume: (name, at) => store.resumeRecording(unit, name, OUTPUT_LIMITS.csvBytes, at),
      },
    });
    if (outcome.status === "stopped") return "stopped";
    for (const f of outcome.truncatedFiles)
      process.stderr.write(
        `warning: ${f.path} stopped at ${formatBytes(f.bytes)}, the most a recording file may hold; the statistics and charts cover the whole run (record fewer groups or neurons for a complete file)\n`,
      );
    store.finishNetwork(unit, { seed: unit.seed, run: outcome.run, recordings: outcome.recordings });
    events.onSeed?.(outcome.run);
    return "finished";
  }
  if (unit.kind === "routing") {
    // A routing unit takes seconds: it runs whole (no checkpoint), its intervals reported as epochs.
    const { runRoutingUnit } = await import("./run-routing.js");
    store.finishRouting(
      unit,
      runRoutingUnit(unit, (record) => events.onEpoch?.(record)),
    );
    return "finished";
  }
  // A "nir" learner reads its file when built, which needs h5wasm started (in this thread).
  if (unit.config.type === "nir") await nirReady();
  const outcome = await runLearningUnitAsync({
    scenario: job.scenario as Scenario,
    unit,
    hooks,
    tasks,
    observer: events,
    checkpoint: store.readCheckpoint(unit),
    saveCheckpoint: (bytes) => store.writeCheckpoint(unit, bytes),
    shouldStop,
  });
  if (outcome.status === "stopped") return "stopped";
  store.finishLearning(unit, outcome.result);
  return "finished";
}

export interface ExecuteOptions {
  store: ResultsStore;
  job: Omit<UnitJob, "unitIndex">;
  jobs: number;
  /** Hook factories; anything but the default list runs in this process (functions do not cross threads). */
  hooks: readonly HookFactory[];
  customHooks: boolean;
  events: ExecuteEvents;
  /** Shared stop flag: element 0 set to 1 stops the run after the running units' epochs. */
  stop: Int32Array;
  /** Plan positions of the units to run (a shard's); default: every unit of the plan. */
  only?: readonly number[];
}

export interface ExecuteResult {
  /** Units finished in this execution. */
  ran: number;
  /** True when stopped before every unit finished. */
  stopped: boolean;
}

/** The worker module next to this one (built JavaScript; from the TypeScript sources, the build in dist/). */
function workerFile(): string {
  const here = new URL("./unit-worker.js", import.meta.url);
  if (import.meta.url.endsWith(".ts")) return new URL("../../dist/runs/unit-worker.js", import.meta.url).href;
  return here.href;
}

export async function executeUnits(o: ExecuteOptions): Promise<ExecuteResult> {
  const { store, events } = o;
  const whole = planOf(o.job);
  const plan = o.only === undefined ? whole : o.only.map((i) => whole[i]!);
  const todo = plan.filter((u) => store.unitRecord(u) === null);
  let finished = plan.length - todo.length;
  const locked: Unit[] = [];
  try {
    for (const unit of todo) {
      const holder = store.lock(unit);
      if (holder !== null) {
        throw new UserError(
          "E_OUTPUT_LOCKED",
          `${store.dir}: unit ${unitLabel(unit)} is being run by process ${holder.pid} on ${holder.host}${holder.slurmJob !== undefined ? ` in SLURM job ${holder.slurmJob}` : ""} (run ${holder.runId}, since ${holder.since}); wait for it to finish, or delete ${store.unitFolder(unit)}/lock if that process is gone`,
        );
      }
      locked.push(unit);
    }
    const stopped = () => Atomics.load(o.stop, 0) !== 0;
    const job = o.job;
    const epochsPerUnit =
      job.kind === "learning"
        ? (job.scenario as Scenario).epochs * ((job.scenario as Scenario).continual?.phases.length ?? 1)
        : job.kind === "routing"
          ? (job.scenario as RoutingScenario).training.intervals
          : 1;
    events.onStart?.(plan.length, finished, todo.length * epochsPerUnit, epochsPerUnit);
    const done = (unit: Unit) => {
      finished++;
      events.onUnitFinished?.(unitLabel(unit), finished, plan.length);
    };
    let ran = 0;
    const inProcess = o.jobs <= 1 || todo.length <= 1 || o.customHooks || !existsSync(new URL(workerFile()));
    if (inProcess) {
      const tasks = new TaskCache();
      for (const unit of todo) {
        if (stopped()) break;
        const r = await runStoredUnit(store, { ...o.job, unitIndex: unit.index }, o.hooks, tasks, events, stopped);
        if (r === "finished") {
          ran++;
          done(unit);
        }
      }
    } else {
      const { default: Tinypool } = await import("tinypool");
      const pool = new Tinypool({ filename: workerFile(), minThreads: 1, maxThreads: Math.min(o.jobs, todo.length) });
      try {
        await Promise.all(
          todo.map(async (unit) => {
            const channel = new MessageChannel();
            const ended = listen(channel.port1, events);
            try {
              const r = (await pool.run(
                { job: { ...o.job, unitIndex: unit.index }, dir: store.dir, stop: o.stop, port: channel.port2 },
                { transferList: [channel.port2] },
              )) as "finished" | "stopped";
              await ended;
              if (r === "finished") {
                ran++;
                done(unit);
              }
            } finally {
              channel.port1.close();
            }
          }),
        );
      } finally {
        await pool.destroy();
      }
    }
    return { ran, stopped: plan.some((u) => store.unitRecord(u) === null) };
  } finally {
    for (const unit of locked) store.unlock(unit);
  }
}

/** Forwards a worker's events; resolves at its "end" message. */
function listen(port: MessagePort, events: ExecuteEvents): Promise<void> {
  return new Promise((resolve) => {
    port.on("message", (m: WorkerMessage) => {
      if (m.type === "epoch") events.onEpoch?.(m.record);
      else if (m.type === "progress") events.onProgress?.(m.learner, m.seed, m.epoch, m.fraction);
      else if (m.type === "seed") events.onSeed?.(m.run);
      else resolve();
    });
  });
}
