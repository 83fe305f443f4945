// `npm run bench:all`'s part without timing (src/bench/bench-all.ts): the plan of benchmark commands, the
// README table rendered from fixed JSON lines such as those commands print, and the rewrite between the
// README's markers. Reference: ratios worked out by hand from the fixed figures below (ours / peer, of the
// fastest runs and of the medians); no benchmark is run here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BEGIN_MARKER,
  type BenchRecord,
  benchAllPlan,
  benchRows,
  END_MARKER,
  jsonLines,
  mergeRecord,
  parseOnly,
  renderBenchTable,
  rewriteBetweenMarkers,
  type WorkloadRecord,
} from "../src/bench/bench-all.js";

const machine = { cores: 2, cpu: "Test CPU @ 2.0GHz", node: "v20.0.0", platform: "Linux x64" };
const rec = (lines: Record<string, unknown>[], date = "2026-12-05T23:40:12.345Z"): WorkloadRecord => ({
  date,
  machine,
  repeat: 5,
  loadBefore: [0.5, 0.4, 0.3],
  loadAfter: [1.25, 0.6, 0.4],
  lines,
});

// Five interleaved runs a side: ours 400, 380, 420, 390, 500 ms (fastest 380, median 400); PyTorch 500, 450,
// 760, 600, 475 (fastest 450, median 500); TF.js wasm 2,000 ... 2,400 (fastest 2,000, median 2,200).
const ours = [400, 380, 420, 390, 500];
const torch = [500, 450, 760, 600, 475];
const wasm = [2000, 2100, 2200, 2300, 2400];
const mlpLines = ours.flatMap((o, k) => [
  { peer: "ours", workload: "mlp", msPerEpoch: o, testAccuracy: o === 380 ? 0.883 : 0.88, epochs: 1 },
  { peer: "torch", workload: "mlp", msPerEpoch: torch[k], testAccuracy: 0.88, epochs: 1 },
  { peer: "tfjs-wasm", workload: "mlp", msPerEpoch: wasm[k], testAccuracy: 0.87, epochs: 1 },
]);

describe("bench:all's plan", () => {
  it("runs each workload through the benchmark command a user would run, with --json", () => {
    const plan = benchAllPlan({ only: parseOnly("cuba,mlp,pruning"), repeat: 5, cubaNeurons: [4000] });
    expect(plan.map((s) => [s.workloads, s.argv.join(" "), s.times])).toEqual([
      [["mlp"], "bench/peers/run.mjs --workloads mlp --backends ours,torch,wasm --repeat 5", 1],
      [["cuba"], "bench/cuba-vs-brian2.mjs --neurons 4000 --repeat 5", 1],
      [["pruning"], "dist/cli/main.js bench pruning --json", 5],
    ]);
    expect(
      benchAllPlan({
        only: parseOnly("mlp,cnn,lstm,cuba,pruning,network,startup,jobs"),
        repeat: 5,
        cubaNeurons: [4000],
      }),
    ).toHaveLength(6);
  });

  it("--only refuses a workload it does not know, naming the known ones", () => {
    expect(() => parseOnly("mlp,gpu")).toThrow(/--only: expected workloads among mlp, cnn, lstm, .*; found gpu/);
  });

  it("reads the JSON lines among a command's text", () => {
    expect(jsonLines('round 1\n{"a":1}\n| table |\n{not json\n  {"b":2}\n')).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

describe("the README's table, from fixed figures", () => {
  it("an ANN workload: each side's fastest and median, ratios ours / peer of both", () => {
    expect(benchRows("mlp", rec(mlpLines))).toEqual([
      {
        workload: "mlp",
        what: "MLP 784-128-10 epoch",
        ours: "380 ms, 400 ms (88.3%)",
        peer: "PyTorch 450 ms, 500 ms",
        ratio: "0.84×, 0.80×", // 380 / 450 = 0.844, 400 / 500 = 0.80
      },
      {
        workload: "mlp",
        what: "MLP 784-128-10 epoch",
        ours: "380 ms, 400 ms (88.3%)",
        peer: "TF.js wasm 2,000 ms, 2,200 ms",
        ratio: "0.19×, 0.18×", // 380 / 2000 = 0.19, 400 / 2200 = 0.182
      },
    ]);
  });

  it("a peer that cannot run the workload says why", () => {
    const lines = [
      { peer: "ours", workload: "cnn", msPerEpoch: 1200, testAccuracy: 0.927 },
      { peer: "tfjs-wasm", workload: "cnn", error: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" },
    ];
    const [row] = benchRows("cnn", rec(lines));
    expect(row!.peer).toBe("TF.js wasm: Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'");
    expect(row!.ratio).toBe("–");
  });

  it("CUBA: simulation CPU time of every run a side against Brian2's, and the peak memory", () => {
    const line = {
      neurons: 4000,
      durationS: 1,
      repeat: 5,
      ours: { precision: "float64", simCpuMs: 90, peakRssMb: 60.4 },
      brian2: { simS: 0.1, peakRssMb: 12.4 },
      samples: { oursSimCpuS: [0.09, 0.08, 0.1, 0.12, 0.085], brian2SimS: [0.1, 0.11, 0.1, 0.125, 0.12] },
    };
    expect(benchRows("cuba", rec([line]))).toEqual([
      {
        workload: "cuba",
        what: "CUBA N=4,000, 1 s, simulation CPU time (float64)",
        ours: "80.0 ms, 90.0 ms",
        peer: "Brian2 C++ standalone 100 ms, 110 ms",
        ratio: "0.80×, 0.82×", // 80 / 100, 90 / 110
      },
      {
        workload: "cuba",
        what: "CUBA N=4,000, peak memory (median)",
        ours: "60 MB",
        peer: "Brian2 12 MB",
        ratio: "4.87×", // 60.4 / 12.4
      },
    ]);
  });

  it("pruning, network, startup and jobs: ours against the reference each names", () => {
    const pruning = [18, 19, 20, 21, 22].map((p, k) => ({
      workload: "pruning",
      full: { synapses: 5_000_000, msPerSample: 36 + k },
      pruned: { synapses: 2_500_000, msPerSample: p },
    }));
    expect(benchRows("pruning", rec(pruning))[0]).toMatchObject({
      what: "a 100 ms sample, half of 5.0 M synapses pruned",
      ours: "pruned 18.0 ms, 20.0 ms",
      peer: "unpruned 36.0 ms, 38.0 ms",
      ratio: "0.50×, 0.53×",
    });
    const network = {
      neurons: 100,
      engine: { fastestCpuMs: 2.6, medianCpuMs: 2.8 },
      fused: { fastestCpuMs: 1.6, medianCpuMs: 1.7 },
      ratioFastest: 2.6 / 1.6,
      ratioMedian: 2.8 / 1.7,
    };
    expect(benchRows("network", rec([network]))[0]).toMatchObject({ ratio: "1.63×, 1.65×" });
    const startup = {
      commands: [
        { command: "neurocompare --help", wallMs: { fastest: 120, median: 130 }, peakRssMb: 45 },
        { command: "node -e 0 (Node's own start, the floor)", wallMs: { fastest: 40, median: 50 }, peakRssMb: 42 },
      ],
    };
    expect(benchRows("startup", rec([startup]))).toEqual([
      {
        workload: "startup",
        what: "`neurocompare --help`, wall time (peak 45 MB)",
        ours: "120 ms, 130 ms",
        peer: "node -e 0 (Node's own start, the floor) 40.0 ms, 50.0 ms",
        ratio: "3.00×, 2.60×",
      },
    ]);
    const jobs = {
      units: 4,
      identical: true,
      settings: [
        { jobs: 1, fastestMs: 8000, medianMs: 8400 },
        { jobs: 2, fastestMs: 4400, medianMs: 4800 },
      ],
    };
    expect(benchRows("jobs", rec([jobs]))[0]).toMatchObject({
      ours: "--jobs 2: 4,400 ms, 4,800 ms",
      peer: "--jobs 1: 8,000 ms, 8,400 ms",
      ratio: "0.55×, 0.57×",
    });
  });

  it("the table states when, where and under what load, one line per run", () => {
    const record: BenchRecord = {
      mlp: rec(mlpLines),
      jobs: rec(
        [
          {
            units: 4,
            identical: true,
            settings: [
              { jobs: 1, fastestMs: 8000, medianMs: 8000 },
              { jobs: 2, fastestMs: 4000, medianMs: 4000 },
            ],
          },
        ],
        "2026-12-06T01:02:03.000Z",
      ),
    };
    const table = renderBenchTable(record);
    expect(table).toContain(
      "- mlp: 2026-12-05 23:40 UTC, 2 cores (Test CPU @ 2.0GHz), Node v20.0.0, Linux x64, 5 runs a side; 1-minute load average before → after: mlp 0.50 → 1.25.",
    );
    expect(table).toContain("- jobs: 2026-12-06 01:02 UTC, 2 cores");
    expect(table).toContain(
      "| MLP 784-128-10 epoch | 380 ms, 400 ms (88.3%) | PyTorch 450 ms, 500 ms | 0.84×, 0.80× |",
    );
    expect(table.split("\n").filter((l) => l.startsWith("| ")).length).toBe(1 + 2 + 1); // header, mlp ×2, jobs
  });
});

describe("rewriting the README between its markers", () => {
  const doc = `# x\n\nbefore\n${BEGIN_MARKER}\nold table\n${END_MARKER}\nafter\n`;

  it("replaces only what lies between the markers", () => {
    expect(rewriteBetweenMarkers(doc, "new table")).toBe(
      `# x\n\nbefore\n${BEGIN_MARKER}\nnew table\n${END_MARKER}\nafter\n`,
    );
  });

  it("refuses a README without exactly one pair, in order", () => {
    expect(() => rewriteBetweenMarkers("no markers", "t")).toThrow(/expected one/);
    expect(() => rewriteBetweenMarkers(`${END_MARKER}\n${BEGIN_MARKER}`, "t")).toThrow(/expected one/);
    expect(() => rewriteBetweenMarkers(doc + doc, "t")).toThrow(/expected one/);
  });

  it("the README has the pair, so a run can rewrite it", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    expect(rewriteBetweenMarkers(readme, "T")).toContain(`${BEGIN_MARKER}\nT\n${END_MARKER}`);
  });

  it("a partial run replaces its workloads' figures and keeps the others'", () => {
    const earlier: BenchRecord = {
      mlp: rec(mlpLines, "2026-12-01T00:00:00.000Z"),
      cuba: rec([], "2026-12-01T00:00:00.000Z"),
    };
    const merged = mergeRecord(earlier, { mlp: rec(mlpLines) });
    expect(merged.mlp!.date).toBe("2026-12-05T23:40:12.345Z");
    expect(merged.cuba!.date).toBe("2026-12-01T00:00:00.000Z");
  });
});
