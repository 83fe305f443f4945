// `npm run library:table`'s part without timing (src/bench/scenario-library.ts): the figures kept from a
// run's summary.json, the result column, the plan and the rewrite between the README's markers. Reference:
// the report's own cells for the same figures (quickstart's mlp printed "99.89 [99.67, 100.00]" in
// report.md, cuba's group P 5.34 ± 0.83 Hz), rounded here to the table's decimals; no scenario is run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  betweenLibraryMarkers,
  LIBRARY_BEGIN,
  LIBRARY_END,
  LIBRARY_SLOW,
  type LibraryRecordEntry,
  libraryFigures,
  libraryPlan,
  libraryResult,
  parseLibraryRows,
  parseNames,
  parseTime,
  renderLibraryTable,
  rewriteLibraryTable,
  seconds,
} from "../src/bench/scenario-library.js";

const iv = (mean: number, halfWidth: number, min: number, max: number, n = 3) => ({
  n,
  mean,
  std: halfWidth / 2.484,
  halfWidth,
  lo: mean - halfWidth,
  hi: mean + halfWidth,
  min,
  max,
  seeds: n,
});

// quickstart's summary.json of 2026-12-06 (PyTorch's initialisation), cut to what the table reads, plus
// a pruned learner and a forgetting figure of the kinds pruning-ann-vs-snn and continual-learning record.
const learning = {
  scenario: { name: "quickstart", learners: [{ type: "mlp" }, { type: "lsm", name: "lsm-pruned", pruning: {} }] },
  seeds: [1, 2, 3],
  learners: [
    {
      name: "mlp",
      final: {
        finalTestAccuracy: iv(0.9988888888888888, 0.004780725255277131, 0.9966666666666667, 1),
        energyPj: iv(1472, 0, 1472, 1472),
        // Not pruned: its density is not shown, whatever it is.
        connectionDensity: iv(0.5, 0, 0.5, 0.5),
        aulc: iv(0.94, 0.04, 0.92, 0.96),
      },
    },
    {
      name: "lsm-pruned",
      final: {
        testAccuracy: iv(0.9133, 0.0123, 0.9, 0.92),
        connectionDensity: iv(0.05, 0, 0.05, 0.05),
        forgetting: iv(0.349, 0.26, 0.2, 0.5),
        energyPj: iv(3.56e6, 0.2e6, 3.4e6, 3.7e6),
      },
    },
  ],
};
const network = {
  seeds: [1, 2, 3],
  groups: [
    {
      group: "P",
      size: 4000,
      final: { meanRateHz: iv(5.336, 0.8262353687753777, 5.0255, 5.687), spikes: iv(1, 0, 1, 1) },
    },
  ],
};
const routing = {
  kind: "routing",
  seeds: [1, 2],
  strategies: [
    { name: "decreasing", final: { meanPathLength: iv(4.5161, 0.0342, 4.49, 4.54, 2) } },
    { name: "random", final: { meanPathLength: iv(5.1049, 0.028, 5.08, 5.12, 2) } },
  ],
};

describe("result column", () => {
  it("keeps only the metrics the table shows, and counts units as learners × seeds", () => {
    const f = libraryFigures(learning);
    expect(f.kind).toBe("learning");
    expect(f.units).toBe(6);
    expect(Object.keys(f.items[0]!.figures).sort()).toEqual(["connectionDensity", "energyPj", "finalTestAccuracy"]);
  });

  it("writes the seeds' range where the 95% interval passes 100%, as the report does, and ± elsewhere", () => {
    // mlp: 99.89 + 0.48 passes 100 → the range [99.67, 100.00] at one decimal.
    expect(libraryResult("quickstart", libraryFigures(learning))).toBe(
      "mlp 99.9 [99.7, 100.0]%; lsm-pruned 91.3 ± 1.2% at 5.0% of connections, forgetting 34.9 ± 26.0 pp",
    );
  });

  it("adds the energy per sample in µJ on energy's row only", () => {
    expect(libraryResult("energy", libraryFigures(learning))).toBe(
      "mlp 99.9 [99.7, 100.0]%, 0.00 µJ; lsm-pruned 91.3 ± 1.2% at 5.0% of connections, forgetting 34.9 ± 26.0 pp, 3.56 µJ",
    );
  });

  it("gives a network's mean rate per group and a routing run's mean path length per strategy", () => {
    const n = libraryFigures(network);
    expect(n).toMatchObject({ kind: "network", units: 3 });
    expect(libraryResult("cuba", n)).toBe("group P: 5.34 ± 0.83 Hz");
    const r = libraryFigures(routing);
    expect(r).toMatchObject({ kind: "routing", units: 4 });
    expect(libraryResult("navlakha-routing", r)).toBe(
      "mean path length: decreasing 4.516 ± 0.034, random 5.105 ± 0.028 hops",
    );
  });

  it("gives the mean alone for one seed", () => {
    const one = {
      seeds: [1],
      learners: [{ name: "cnn", final: { finalTestAccuracy: iv(0.98214, 0, 0.98214, 0.98214, 1) } }],
    };
    expect(libraryResult("mnist-cnn", libraryFigures(one))).toBe("cnn 98.2%");
  });

  it("refuses a summary it cannot read", () => {
    expect(() => libraryFigures({ learners: [] })).toThrow(/seeds/);
    expect(() => libraryFigures({ seeds: [1], learners: [{ final: {} }] })).toThrow(/entry 0 has no name/);
  });
});

describe("table", () => {
  const machine = { cores: 2, cpu: "Test CPU", node: "v20.0.0", platform: "Linux x64" };
  const entry = (date: string, figures = libraryFigures(network)): LibraryRecordEntry => ({
    date,
    machine,
    wallS: 1759.4,
    cpuS: 3.26,
    loadBefore: [4.0, 3, 2],
    loadAfter: [5.0, 3, 2],
    jobs: 1,
    nice: 15,
    figures,
  });
  const old = [
    "| scenario | units | wall time | CPU time | result |",
    "|---|---|---|---|---|",
    "| `quickstart` | 6 | 19 s | 18 s | mlp 99.7 [99.3, 100.0]% |",
    "| `cuba` | 3 | 3 s | 3 s | group P: 5.37 ± 0.60 Hz |",
    "| `lottery-ticket` | 15 | 4,706 s | 1,027 s | ticket 94.88 ± 0.18% |",
  ].join("\n");

  it("writes seconds with one decimal under 10 s and thousands separated", () => {
    expect(seconds(3.26)).toBe("3.3 s");
    expect(seconds(1759.4)).toBe("1,759 s");
    expect(seconds(12)).toBe("12 s");
  });

  it("rewrites recorded rows, keeps the others in their order, puts new scenarios before the slow ones, notes an older day", () => {
    const kept = parseLibraryRows(old);
    expect([...kept.keys()]).toEqual(["quickstart", "cuba", "lottery-ticket"]);
    const table = renderLibraryTable(
      { cuba: entry("2026-12-06T03:00:00.000Z"), "nir-network": entry("2026-12-05T03:00:00.000Z") },
      kept,
      [...kept.keys()],
    );
    const rows = table.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows).toEqual([
      "| `quickstart` | 6 | 19 s | 18 s | mlp 99.7 [99.3, 100.0]% |",
      "| `cuba` | 3 | 1,759 s (load 4.5) | 3.3 s | group P: 5.34 ± 0.83 Hz |",
      "| `nir-network` | 3 | 1,759 s (load 4.5, 2026-12-05) | 3.3 s | group P: 5.34 ± 0.83 Hz |",
      "| `lottery-ticket` | 15 | 4,706 s | 1,027 s | ticket 94.88 ± 0.18% |",
    ]);
    expect(table).toContain("niceness 15 on 2 cores (Test CPU)");
    expect(table).toContain("from 4.0 to 5.0 over these runs");
  });

  it("replaces only the text between the markers, and refuses a README without one pair", () => {
    const readme = `# x\n\nbefore\n${LIBRARY_BEGIN}\n${old}\n${LIBRARY_END}\n\nafter\n`;
    const out = rewriteLibraryTable(readme, "| new |");
    expect(out).toBe(`# x\n\nbefore\n${LIBRARY_BEGIN}\n| new |\n${LIBRARY_END}\n\nafter\n`);
    expect(() => betweenLibraryMarkers("no markers")).toThrow(/expected one/);
    expect(() => rewriteLibraryTable(`${readme}${LIBRARY_BEGIN}`, "x")).toThrow(/expected one/);
  });

  it("the README holds one pair of markers with a row for every bundled scenario", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const { start, end } = betweenLibraryMarkers(readme);
    const rows = parseLibraryRows(readme.slice(start, end));
    const bundled = bundledScenarios();
    expect([...rows.keys()].sort()).toEqual(bundled);
  });
});

function bundledScenarios(): string[] {
  return readdirSync(join(import.meta.dirname, "..", "scenarios"))
    .filter((f) => f.endsWith(".json") && f !== "schema.json")
    .map((f) => f.slice(0, -5))
    .sort();
}

describe("plan and options", () => {
  const bundled = ["a", "b", "c", "lottery-ticket", "z-new"];
  const order = ["b", "a", "lottery-ticket", "c"];

  it("runs every bundled scenario in table order, new ones last, leaving the slow ones out", () => {
    expect(LIBRARY_SLOW.map((s) => s.name)).toContain("lottery-ticket");
    expect(libraryPlan(bundled, order, {})).toEqual(["b", "a", "c", "z-new"]);
    expect(libraryPlan(bundled, order, { skip: ["a"] })).toEqual(["b", "c", "z-new"]);
  });

  it("runs what --only names, slow ones included, and refuses unknown names", () => {
    expect(libraryPlan(bundled, order, { only: ["c", "lottery-ticket"] })).toEqual(["lottery-ticket", "c"]);
    expect(() => libraryPlan(bundled, order, { only: ["nope"] })).toThrow(/--only: no bundled scenario named nope/);
    expect(() => libraryPlan(bundled, order, { skip: ["x"] })).toThrow(/--skip/);
    expect(parseNames(" a, b")).toEqual(["a", "b"]);
    expect(() => parseNames("a,,b")).toThrow(/separated by commas/);
  });

  it("reads /usr/bin/time's last line as wall and user + system CPU seconds", () => {
    expect(parseTime("Command exited with non-zero status 0\n12.50 10.25 0.50\n")).toEqual({
      wallS: 12.5,
      cpuS: 10.75,
    });
    expect(() => parseTime("garbage")).toThrow(/wall user system/);
  });
});
