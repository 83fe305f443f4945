/**
 * Progress of a long run: on a terminal, one line rewritten in place (learner,
 * seed, epoch, a bar, the latest test accuracy, units done of all, and an
 * ETA for the whole run); when piped, one plain line per finished epoch, so
 * logs stay readable. With several units running at once, the line shows the
 * unit that reported last.
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

export function progressObserver(stream: NodeJS.WriteStream): ProgressObserver {
  const tty = stream.isTTY === true;
  const lastAccuracy = new Map<string, number>();
  const t0 = performance.now();
  let epochsTotal = 1;
  let unitsDone = 0;
  let unitsTotal = 0;
  /** Epochs finished in this process, to extrapolate the time left. */
  let epochsRun = 0;
  let epochsLeft = 0;
  const pct = (v: number | undefined) => (v === undefined ? "  –  " : `${(100 * v).toFixed(2)}%`);
  const units = () => (unitsTotal > 0 ? ` · units ${unitsDone}/${unitsTotal}` : "");
  const eta = () => {
    if (epochsRun === 0 || epochsLeft <= 0) return "";
    return ` · ETA ${duration(((performance.now() - t0) / epochsRun) * epochsLeft)}`;
  };
  return {
    onStart(total: number, finished: number, epochsToRun: number) {
      unitsTotal = total;
      unitsDone = finished;
      epochsLeft = epochsToRun;
    },
    onProgress(learner, seed, epoch, fraction) {
      if (!tty) return;
      const width = 20;
      const filled = Math.round(fraction * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      stream.write(
        `\r\x1b[K${learner} · seed ${seed} · epoch ${epoch}/${epochsTotal} ${bar} ${(100 * fraction).toFixed(0)}% · last test acc ${pct(lastAccuracy.get(learner))}${units()}${eta()}`,
      );
    },
    onEpoch(r: EpochRecord) {
      epochsTotal = r.epochs;
      epochsRun++;
      epochsLeft--;
      const acc = r.metrics["testAccuracy"];
      if (acc !== undefined) lastAccuracy.set(r.learner, acc);
      const line =
        r.metrics["diverged"] !== undefined
          ? `${r.learner} seed=${r.seed} epoch=${r.epoch}/${r.epochs} diverged (loss or weights not finite)`
          : `${r.learner} seed=${r.seed} epoch=${r.epoch}/${r.epochs} testAccuracy=${pct(acc)} trainLoss=${(r.metrics["trainLoss"] ?? NaN).toFixed(4)} wallMs=${(r.metrics["wallMs"] ?? 0).toFixed(0)}` +
            (r.metrics["spikesPerSample"] !== undefined
              ? ` spikesPerSample=${r.metrics["spikesPerSample"]!.toFixed(1)}`
              : "");
      stream.write(tty ? `\r\x1b[K${line}${units()}${eta()}\n` : `${line}\n`);
    },
    onSeed(run) {
      const rates = run.groups.map((g) => `${g.group} ${g.meanRateHz.toFixed(2)} Hz`).join(", ");
      stream.write(
        `${tty ? "\r\x1b[K" : ""}seed=${run.seed} synapses=${run.synapses} buildMs=${run.buildMs.toFixed(0)} simMs=${run.simMs.toFixed(0)} ${rates}\n`,
      );
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
