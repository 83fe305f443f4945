/**
 * Progress of a long run: on a terminal, one line rewritten in place (learner,
 * seed, epoch, a bar, the latest test accuracy, units done of all, and an
 * ETA for the whole run); when piped, one plain line per finished epoch (or
 * network seed), so logs stay readable. With several units running at once,
 * the line shows the unit that reported last.
 *
 * The ETA extrapolates the wall time so far over the epochs left, counting
 * the running epochs' finished fractions (a network unit counts as one
 * epoch, its fraction being the simulated share of its duration), so it
 * appears during the first epoch, and during a network run of one seed.
 */
import type { ExecuteEvents } from "../runs/execute.js";
import type { EpochRecord } from "../runs/run.js";

export interface ProgressObserver extends ExecuteEvents {
  /** Clears the live line. */
  finish?(): void;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Where progress goes: process.stderr, or anything with `write` (and `isTTY` when it is a terminal). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export function progressObserver(stream: ProgressStream): ProgressObserver {
  const tty = stream.isTTY === true;
  const lastAccuracy = new Map<string, number>();
  const t0 = performance.now();
  /** A unit's epochs, shown as "epoch e/N" from the first progress line (onStart says it before any epoch ends). */
  let epochsTotal = 1;
  let unitsDone = 0;
  let unitsTotal = 0;
  /** Epochs (network units) finished in this process, to extrapolate the time left. */
  let epochsRun = 0;
  let epochsLeft = 0;
  /** The finished fraction of each running epoch, by unit. */
  const running = new Map<string, number>();
  const key = (learner: string, seed: number) => `${learner}\u0000${seed}`;
  const pct = (v: number | undefined) => (v === undefined ? "  –  " : `${(100 * v).toFixed(2)}%`);
  const units = () => (unitsTotal > 0 ? ` · units ${unitsDone}/${unitsTotal}` : "");
  const eta = () => {
    let partial = 0;
    for (const f of running.values()) partial += f;
    const done = epochsRun + partial;
    const left = epochsLeft - partial;
    if (done <= 0 || left <= 0) return "";
    return ` · ETA ${duration(((performance.now() - t0) / done) * left)}`;
  };
  return {
    onStart(total: number, finished: number, epochsToRun: number, epochsPerUnit: number) {
      epochsTotal = epochsPerUnit;
      unitsTotal = total;
      unitsDone = finished;
      epochsLeft = epochsToRun;
    },
    onProgress(learner, seed, epoch, fraction) {
      running.set(key(learner, seed), fraction);
      if (!tty) return;
      const width = 20;
      const filled = Math.round(fraction * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      const acc = lastAccuracy.has(learner) ? ` · last test acc ${pct(lastAccuracy.get(learner))}` : "";
      const where =
        learner === "network" ? `network · seed ${seed}` : `${learner} · seed ${seed} · epoch ${epoch}/${epochsTotal}`;
      stream.write(`\r\x1b[K${where} ${bar} ${(100 * fraction).toFixed(0)}%${acc}${units()}${eta()}`);
    },
    onEpoch(r: EpochRecord) {
      epochsTotal = r.epochs;
      epochsRun++;
      epochsLeft--;
      running.delete(key(r.learner, r.seed));
      const acc = r.metrics["testAccuracy"];
      if (acc !== undefined) lastAccuracy.set(r.learner, acc);
      const routing = r.metrics["edgeCount"] !== undefined && acc === undefined;
      const line = routing
        ? `${r.learner} seed=${r.seed} interval=${r.epoch}/${r.epochs} edges=${r.metrics["edgeCount"]} trainRoutable=${pct(r.metrics["trainRoutableFraction"])}` +
          (r.metrics["meanPathLength"] !== undefined
            ? ` meanPathLength=${r.metrics["meanPathLength"]!.toFixed(3)}`
            : "")
        : r.metrics["diverged"] !== undefined
          ? `${r.learner} seed=${r.seed} epoch=${r.epoch}/${r.epochs} diverged (loss or weights not finite)`
          : `${r.learner} seed=${r.seed} epoch=${r.epoch}/${r.epochs} testAccuracy=${pct(acc)} trainLoss=${(r.metrics["trainLoss"] ?? NaN).toFixed(4)} wallMs=${(r.metrics["wallMs"] ?? 0).toFixed(0)}` +
            (r.metrics["spikesPerSample"] !== undefined
              ? ` spikesPerSample=${r.metrics["spikesPerSample"]!.toFixed(1)}`
              : "");
      stream.write(tty ? `\r\x1b[K${line}${units()}${eta()}\n` : `${line}\n`);
    },
    onSeed(run) {
      epochsRun++;
      epochsLeft--;
      running.delete(key("network", run.seed));
      const rates = run.groups.map((g) => `${g.group} ${g.meanRateHz.toFixed(2)} Hz`).join(", ");
      const line = `seed=${run.seed} synapses=${run.synapses} buildMs=${run.buildMs.toFixed(0)} simMs=${run.simMs.toFixed(0)} ${rates}`;
      stream.write(tty ? `\r\x1b[K${line}${units()}${eta()}\n` : `${line}\n`);
    },
    onUnitFinished(_label, finished, total) {
      unitsDone = finished;
      unitsTotal = total;
    },
    finish() {
      if (tty) stream.write("\r\x1b[K");
    },
  };
}

export type { RunObserver } from "../runs/run.js";
