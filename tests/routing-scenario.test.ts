// References: Navlakha, Barth & Bar-Joseph 2015 (decreasing-rate pruning
// builds shorter routes than increasing-rate pruning; every strategy ends
// with B edges; pruning starts above B and growth from a spanning tree of
// 2(n-1) directed edges), the error contract for scenario files (file, JSON
// path, expected, found), and the CLI's files for the routing kind.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../src/core/errors.js";
import { parseAnyScenarioText } from "../src/scenario/load.js";
import { holmAdjust } from "../src/metrics/stats.js";
import { summarizeRouting } from "../src/runs/routing-results.js";
import type { RoutingScenario } from "../src/scenario/routing-schema.js";
import { planRoutingUnits } from "../src/runs/plan.js";
import { runRoutingScenario } from "../src/runs/run-routing.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");

const small = {
  kind: "routing",
  name: "routing-small",
  task: { nodes: 100 },
  network: { edgeBudget: 400 },
  training: { intervals: 10, pairsPerInterval: 60 },
  strategies: [
    { type: "prune", rate: "decreasing" },
    { type: "prune", rate: "constant" },
    { type: "prune", rate: "increasing" },
    { type: "grow" },
    { type: "random" },
  ],
  evaluation: { testPairs: 300, damageFractions: [0.2], damageTrials: 2 },
  seeds: [1, 2, 3, 4, 5],
};

function routing(value: unknown): RoutingScenario {
  const a = parseAnyScenarioText(JSON.stringify(value), "r.json");
  if (a.kind !== "routing") throw new Error("expected a routing scenario");
  return a.scenario;
}

function problems(value: unknown): ScenarioError {
  try {
    parseAnyScenarioText(JSON.stringify(value, null, 2), "r.json");
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("routing scenarios", () => {
  it("refuse budgets the strategies cannot meet and sweeps a strategy does not accept", () => {
    const tooSmall = problems({ ...small, network: { edgeBudget: 150 } });
    expect(tooSmall.issues.map((i) => i.path)).toEqual(["$.network.edgeBudget"]);
    expect(tooSmall.issues[0]!.expected).toContain("2(n-1) = 198");
    const tooLarge = problems({ ...small, network: { edgeBudget: 3000, initialDensity: 0.25 } });
    expect(tooLarge.issues[0]!.expected).toContain("round(initialDensity · n(n-1)) = 2475");
    const sweep = problems({ ...small, sweep: [{ parameter: "strategy.usage", values: ["interval"] }] });
    expect(sweep.issues.map((i) => i.path)).toContain("$.sweep[0].values[0]");
    expect(sweep.issues[0]!.expected).toContain("grow");
    const allSources = problems({
      ...small,
      task: { nodes: 100, distribution: { type: "2-patch", sourceFraction: 0.999, targetFraction: 0.001 } },
    });
    expect(allSources.issues.map((i) => i.path)).toContain("$.task.distribution.sourceFraction");
    const dup = problems({ ...small, strategies: [{ type: "grow" }, { type: "grow" }] });
    expect(dup.issues[0]!.path).toBe("$.strategies[1].name");
  });

  it("run deterministically, end at B edges, and order the pruning rates as Navlakha et al. found", () => {
    const s = routing(small);
    const a = runRoutingScenario(s);
    const b = runRoutingScenario(s);
    const timeless = (rows: typeof a.rows) => rows.filter((r) => r.metric !== "wallMs" && r.metric !== "evalMs");
    expect(timeless(b.rows)).toEqual(timeless(a.rows));
    const last = (learner: string, metric: string) =>
      a.rows.filter((r) => r.learner === learner && r.metric === metric && r.epoch === 10).map((r) => r.value);
    for (const name of ["decreasing", "constant", "increasing", "grow", "random"])
      expect(last(name, "edgeCount")).toEqual([400, 400, 400, 400, 400]);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    // Seeded, so deterministic; at this size the means are 2.86 < 2.94 < 3.15 hops (five seeds).
    expect(mean(last("decreasing", "meanPathLength"))).toBeLessThan(mean(last("constant", "meanPathLength")));
    expect(mean(last("constant", "meanPathLength"))).toBeLessThan(mean(last("increasing", "meanPathLength")));
    const summary = summarizeRouting(a, "test");
    expect(summary.strategies.map((x) => x.name)).toEqual(["decreasing", "constant", "increasing", "grow", "random"]);
    expect(summary.strategies[0]!.final["meanPathLength"]!.n).toBe(5);
    // 10 pairs × 5 measures, corrected together.
    expect(summary.comparisons).toHaveLength(50);
    for (const c of summary.comparisons) if (Number.isFinite(c.p)) expect(c.pHolm).toBeGreaterThanOrEqual(c.p);
  });

  it("expand a sweep into one unit per point, strategy and seed, names carrying the setting", () => {
    const s = routing({
      ...small,
      strategies: small.strategies.slice(0, 3),
      seeds: [1, 2],
      sweep: [
        { parameter: "network.initialDensity", values: [1, 0.5] },
        { parameter: "strategy.usage", values: ["interval"] },
      ],
    });
    const units = planRoutingUnits(s, s.seeds);
    expect(units).toHaveLength(2 * 2 * 3);
    expect(units[0]!.strategy.name).toBe("decreasing network.initialDensity=1 strategy.usage=interval");
    expect(units[3]!.settings.network.initialDensity).toBe(0.5);
    expect(units[3]!.config).toMatchObject({ usage: "interval" });
  });

  it("corrects p-values with Holm's step-down method", () => {
    // m = 4: sorted p 0.01, 0.02, 0.03, 0.5 → 0.04, 0.06, 0.06 (monotone), 0.5.
    const adj = holmAdjust([0.03, 0.5, 0.01, 0.02, Number.NaN]);
    expect(adj.map((p) => Number(p.toFixed(10)))).toEqual([0.06, 0.5, 0.04, 0.06, Number.NaN]);
  });

  it("write metrics, summary, charts and the report from the CLI", () => {
    const dir = mkdtempSync(join(tmpdir(), "nc-routing-"));
    const file = join(dir, "r.json");
    writeFileSync(file, JSON.stringify({ ...small, task: { nodes: 40 }, network: { edgeBudget: 120 }, seeds: [1, 2] }));
    const out = join(dir, "out");
    const r = spawnSync(process.execPath, [cli, "run", file, "--out", out, "--quiet"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("decreasing: mean path length");
    expect(r.stdout).toContain("Navlakha's ordering on mean path length (hops):");
    const csv = readFileSync(join(out, "metrics.csv"), "utf8");
    expect(csv.split("\n")[0]).toBe("learner,seed,epoch,metric,value");
    expect(csv).toContain("decreasing,1,0,edgeCount,1560");
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toContain("Edges over the intervals");
    expect(report).toContain("p (Holm)");
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.kind).toBe("routing");
    // Units on disk run in parallel give the same table (timings aside), and report reassembles it.
    const out2 = join(dir, "out2");
    const r2 = spawnSync(process.execPath, [cli, "run", file, "--out", out2, "--quiet", "--jobs", "2"], {
      encoding: "utf8",
    });
    expect(r2.status, r2.stderr).toBe(0);
    const timeless = (text: string) =>
      text
        .split("\n")
        .filter((l) => !/,(wallMs|evalMs),/.test(l))
        .join("\n");
    expect(timeless(readFileSync(join(out2, "metrics.csv"), "utf8"))).toBe(timeless(csv));
    const rep = spawnSync(process.execPath, [cli, "report", out2], { encoding: "utf8" });
    expect(rep.status, rep.stderr).toBe(0);
    expect(rep.stdout).toContain("Report assembled from 10 finished unit(s)");
    // The index of the folder's runs lists a routing run with each strategy's mean path length.
    const index = spawnSync(process.execPath, [cli, "report", dir], { encoding: "utf8" });
    expect(index.status, index.stderr).toBe(0);
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).toMatch(/decreasing [0-9.]+ (± [0-9.]+ )?hops/);
    expect(html).not.toContain("unreadable");
  });

  it("run as shards into one folder: merge names the missing strategies, the last shard assembles the whole table", () => {
    const dir = mkdtempSync(join(tmpdir(), "nc-routing-shards-"));
    const file = join(dir, "r.json");
    const scenario = { ...small, task: { nodes: 30 }, network: { edgeBudget: 90 }, seeds: [1, 2] };
    writeFileSync(file, JSON.stringify(scenario));
    const whole = join(dir, "whole");
    expect(spawnSync(process.execPath, [cli, "run", file, "--out", whole, "--quiet"]).status).toBe(0);
    const out = join(dir, "shards");
    const shard = (s: string) =>
      spawnSync(process.execPath, [cli, "run", file, "--out", out, "--quiet", "--jobs", "1", "--shard", s], {
        encoding: "utf8",
      });
    expect(shard("1/2").status).toBe(0);
    // Plan order is seeds outer, strategies inner: the second shard holds seed 2's five strategies.
    const partial = spawnSync(process.execPath, [cli, "merge", out], { encoding: "utf8" });
    expect(partial.status, partial.stderr).toBe(4);
    expect(partial.stdout).toContain("Merged 5 of 10 units");
    expect(partial.stdout).toContain("decreasing seed 2 (not started)");
    expect(shard("2/2").status).toBe(0);
    const timeless = (path: string) =>
      readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => !/,(wallMs|evalMs),/.test(l))
        .join("\n");
    expect(timeless(join(out, "metrics.csv"))).toBe(timeless(join(whole, "metrics.csv")));
  });
});
