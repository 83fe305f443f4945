/**
 * A worker thread of the unit pool (execute.ts, through tinypool): runs one
 * unit per task against the results folder, exactly as the main thread would
 * (runStoredUnit), and posts its epochs and progress back through the task's
 * message port. The task cache lives as long as the worker, so the units of
 * one seed that land on this worker build their task once.
 */
import type { MessagePort } from "node:worker_threads";
import { defaultHookFactories } from "./run.js";
import { runStoredUnit, type UnitJob, type WorkerMessage } from "./execute.js";
import { TaskCache } from "./learning-unit.js";
import { ResultsStore } from "./store.js";

const tasks = new TaskCache();

export default async function runUnitTask(task: {
  job: UnitJob;
  dir: string;
  stop: Int32Array;
  port: MessagePort;
}): Promise<"finished" | "stopped"> {
  const { port, stop } = task;
  const post = (m: WorkerMessage) => port.postMessage(m);
  try {
    if (Atomics.load(stop, 0) !== 0) return "stopped";
    const store = ResultsStore.openExisting(task.dir);
    if (store === null) throw new Error(`internal: ${task.dir} lost its manifest during the run`);
    return await runStoredUnit(
      store,
      task.job,
      defaultHookFactories,
      tasks,
      {
        onEpoch: (record) => post({ type: "epoch", record }),
        onProgress: (learner, seed, epoch, fraction) => post({ type: "progress", learner, seed, epoch, fraction }),
        onSeed: (run) => post({ type: "seed", run }),
      },
      () => Atomics.load(stop, 0) !== 0,
    );
  } finally {
    // The main thread closes the channel when it sees this (closing here could drop queued messages).
    post({ type: "end" });
  }
}
