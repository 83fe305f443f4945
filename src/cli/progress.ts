/**
 * Progress of a long run: on a terminal, one line rewritten in place (learner,
 * seed, epoch, a bar, the latest test accuracy); when piped, one plain line
 * per finished epoch, so logs stay readable.
 */
import type { EpochRecord, RunObserver } from "../runs/run.js";

export function progressObserver(stream: NodeJS.WriteStream): RunObserver {
  const tty = stream.isTTY === true;
  const lastAccuracy = new Map<string, number>();
  let epochsTotal = 1;
  const pct = (v: number | undefined) => (v === undefined ? "  –  " : `${(100 * v).toFixed(2)}%`);
  return {
    onProgress(learner, seed, epoch, fraction) {
      if (!tty) return;
      const width = 20;
      const filled = Math.round(fraction * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      stream.write(
        `\r\x1b[K${learner} · seed ${seed} · epoch ${epoch}/${epochsTotal} ${bar} ${(100 * fraction).toFixed(0)}% · last test acc ${pct(lastAccuracy.get(learner))}`,
      );
    },
    onEpoch(r: EpochRecord) {
      epochsTotal = r.epochs;
      const acc = r.metrics["testAccuracy"];
      if (acc !== undefined) lastAccuracy.set(r.learner, acc);
      const line =
        `${r.learner} seed=${r.seed} epoch=${r.epoch}/${r.epochs} testAccuracy=${pct(acc)} trainLoss=${(r.metrics["trainLoss"] ?? NaN).toFixed(4)} wallMs=${(r.metrics["wallMs"] ?? 0).toFixed(0)}` +
        (r.metrics["spikesPerSample"] !== undefined
          ? ` spikesPerSample=${r.metrics["spikesPerSample"]!.toFixed(1)}`
          : "");
      stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
    },
  };
}

export type { RunObserver };
