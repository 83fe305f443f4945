// Divergence and `report`'s checks, through run() in this process.
//
// Divergence probe: an MLP with SGD at learning rate 100, momentum 0.999 and
// weight decay 1e6 overflows to non-finite loss within its first epoch (the
// decay term alone multiplies each weight by 1 - 100·1e6 per step). It must
// stop, be marked diverged with its epoch, never be ranked or charted, and
// the run must exit 3 with every other unit's results written.
//
// Report probes (each a damaged copy of a good run): a metrics.csv cut at a
// line boundary, a header-only metrics.csv, NaN / 1e400 / seed -5 / epoch
// 1e20 rows, and random bytes in weights.csv: each refused with its file and
// line, exit 2 (a UserError).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT_DIVERGED, run } from "../src/api/run.js";
import { reportCommand } from "../src/cli/report-command.js";
import { isUserError } from "../src/core/errors.js";
import type { Summary } from "../src/runs/results.js";

const base = {
  description: "d",
  task: { type: "xor", trainSize: 64, testSize: 32, noise: 0.1 },
  epochs: 3,
  seeds: [1, 2],
  evaluation: { costSamples: 8 },
};

describe("divergence", () => {
  it("stops the unit, marks it diverged with its epoch, keeps the others, exits 3", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "neurocompare-div-")), "out");
    const outcome = await run(
      {
        ...base,
        name: "diverge",
        learners: [
          { type: "mlp", name: "steady", hidden: [6], batchSize: 8 },
          {
            type: "mlp",
            name: "wild",
            hidden: [6],
            batchSize: 8,
            optimizer: { type: "sgd", learningRate: 100, momentum: 0.999, weightDecay: 1e6 },
          },
        ],
      },
      { out, jobs: 1 },
    );
    expect(outcome.exitCode).toBe(EXIT_DIVERGED);
    expect(outcome.diverged).toEqual([
      { learner: "wild", seed: 1, epoch: 1 },
      { learner: "wild", seed: 2, epoch: 1 },
    ]);
    const csv = readFileSync(join(out, "metrics.csv"), "utf8");
    expect(csv).toContain("wild,1,1,diverged,1\n");
    expect(csv).toMatch(/steady,2,3,finalTestAccuracy,/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;
    const wild = summary.learners.find((l) => l.name === "wild")!;
    expect(wild.diverged).toEqual([
      { seed: 1, epoch: 1 },
      { seed: 2, epoch: 1 },
    ]);
    expect(wild.final).toEqual({}); // never "n: 0, mean: null" for a figure it did not produce
    expect(
      summary.comparisons
        .filter((c) => c.a === "wild" || c.b === "wild")
        .every((c) => c.reason === "not tested: a seed diverged"),
    ).toBe(true);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("diverged at epoch 1");
    expect(md).toMatch(/Diverged: wild seed 1 at epoch 1/);
    const wildRow = md.split("\n").find((l) => l.startsWith("| wild"))!;
    expect(wildRow).not.toContain("★");
    // The report rebuilt from the files agrees.
    await reportCommand(out);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("diverged at epoch 1");
  });
});

describe("report checks what it reads", () => {
  let good = "";
  beforeAll(async () => {
    good = join(mkdtempSync(join(tmpdir(), "neurocompare-probe-")), "good");
    const outcome = await run(
      {
        ...base,
        name: "probe",
        learners: [
          { type: "mlp", hidden: [4], batchSize: 8 },
          { type: "mlp", name: "b", hidden: [2], batchSize: 8 },
        ],
      },
      { out: good, jobs: 1 },
    );
    expect(outcome.exitCode).toBe(0);
  });

  /** A copy of the good run with one file changed; returns report's error message. */
  async function probe(file: string, change: (text: string) => string): Promise<string> {
    const dir = `${good}-${Math.random().toString(36).slice(2)}`;
    cpSync(good, dir, { recursive: true });
    writeFileSync(join(dir, file), change(readFileSync(join(dir, file), "utf8")));
    try {
      await reportCommand(dir);
    } catch (e) {
      expect(isUserError(e), String(e)).toBe(true);
      return (e as Error).message;
    }
    throw new Error(`report accepted the damaged ${file}`);
  }

  const lines = (t: string) => t.trimEnd().split("\n");

  it("refuses a metrics.csv cut at a line boundary (a unit lost) and one cut inside a unit", async () => {
    const dropLastUnit = await probe(
      "metrics.csv",
      (t) =>
        `${lines(t)
          .filter((l) => !l.startsWith("b,2,"))
          .join("\n")}\n`,
    );
    expect(dropLastUnit).toMatch(/metrics\.csv.*line \d+.*b seed 2/s);
    const cutInside = await probe("metrics.csv", (t) => `${lines(t).slice(0, -5).join("\n")}\n`);
    expect(cutInside).toMatch(/line \d+.*b seed 2.*cut short inside the unit/s);
  });

  it("refuses a header-only metrics.csv", async () => {
    expect(await probe("metrics.csv", (t) => `${lines(t)[0]}\n`)).toMatch(/metrics\.csv.*mlp seed 1.*none/s);
  });

  it("refuses NaN, 1e400, seed -5 and epoch 1e20 rows, naming the line", async () => {
    const at = (t: string, k: number, f: (l: string) => string) =>
      lines(t)
        .map((l, i) => (i === k ? f(l) : l))
        .join("\n");
    expect(await probe("metrics.csv", (t) => at(t, 3, (l) => l.replace(/,[^,]*$/, ",NaN")))).toMatch(
      /line 4.*finite number/s,
    );
    expect(await probe("metrics.csv", (t) => at(t, 3, (l) => l.replace(/,[^,]*$/, ",1e400")))).toMatch(
      /line 4.*"1e400"/s,
    );
    expect(await probe("metrics.csv", (t) => at(t, 2, (l) => l.replace(/^mlp,1,/, "mlp,-5,")))).toMatch(
      /line 3.*a seed of this run.*"-5"/s,
    );
    expect(await probe("metrics.csv", (t) => at(t, 2, (l) => l.replace(/^mlp,1,1,/, "mlp,1,1e20,")))).toMatch(
      /line 3.*an epoch from 1 to 3.*"1e20"/s,
    );
  });

  it("refuses random bytes in weights.csv", async () => {
    let x = 12345;
    const noise = Array.from({ length: 200 }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return String.fromCharCode(32 + (x % 90));
    }).join("");
    expect(await probe("weights.csv", (t) => `${lines(t).slice(0, 3).join("\n")}\n${noise}\n`)).toMatch(
      /weights\.csv.*line 4/s,
    );
  });

  it("accepts the good run", async () => {
    await reportCommand(good);
  });
});
