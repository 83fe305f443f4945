/** The parity report as a Markdown table, with the rule it applies written under it. */
import type { ParityReport } from "./harness.js";

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const fp = (p: number) => (Number.isNaN(p) ? "n/a" : p < 0.001 ? "<0.001" : p.toFixed(3));

export function formatParity(r: ParityReport): string {
  const lines = [
    `Test accuracy (%) after each epoch on ${r.testSize} test digits, ${r.trainSize} training digits, same batches in the same order on both sides` +
      (r.sharedInit
        ? "; both sides start from our initial weights, seed by seed, and the TOST is on the paired differences."
        : "; each side draws its own initial weights."),
    "",
    "| learner | epoch | seeds | ours (95% CI) | reference (95% CI) | ours − ref (90% CI) | TOST p | TOST | sd ours / ref | F p (Holm) | F-test | verdict |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of r.rows) {
    const t = row.tost;
    const tostVerdict = t.equivalent
      ? "equivalent"
      : Math.abs(t.diff) >= r.margin
        ? "different"
        : "not shown equivalent";
    const spreadVerdict = row.spreadPHolm < r.spreadAlpha ? "larger spread" : "spread ok";
    const verdict = row.pass ? "pass" : "FAIL";
    const seeds = row.addedSeeds > 0 ? `${row.seeds} (+${row.addedSeeds})` : String(row.seeds);
    lines.push(
      `| ${row.workload} | ${row.epoch} | ${seeds} | ${f2(row.ours.mean)} (${f2(row.ours.lo)}–${f2(row.ours.hi)}) | ${f2(row.reference.mean)} (${f2(row.reference.lo)}–${f2(row.reference.hi)}) | ${t.diff >= 0 ? "+" : ""}${f2(t.diff)} (${f2(t.lo)} to ${f2(t.hi)}) | ${fp(t.p)} | ${tostVerdict} | ${f2(row.spread.sdA)} / ${f2(row.spread.sdB)} | ${fp(row.spreadPHolm)} | ${spreadVerdict} | ${verdict} |`,
    );
  }
  const failed = r.rows.filter((x) => !x.pass).length;
  lines.push(
    "",
    `Pass: equivalent within ±${f1(r.margin)} points by TOST (${r.sharedInit ? "paired t on the per-seed differences" : "Welch t"}, α = ${r.alpha} a side, i.e. the ${f1(100 * (1 - 2 * r.alpha))}% interval of the difference inside ±${f1(r.margin)}), and our seed-to-seed spread not larger by a one-sided F-test at ${r.spreadAlpha}. ` +
      `The F-test p-values are Holm-adjusted over the ${r.rows.length} rows; the TOST p-values are not, since "every row is equivalent" is an intersection-union claim, which holds at α when each test does. ` +
      "Seeds marked (+k) were added after the first round because the spread needed them (a two-stage design).",
    "",
    failed === 0 ? `All ${r.rows.length} rows pass.` : `${failed} of ${r.rows.length} rows fail.`,
  );
  return lines.join("\n");
}
