// A network run's report written from code through the public API (src/index.ts),
// not only by the CLI: run(), the one call code uses, writes the same data files and
// report.html as `neurocompare run`, with the versions table and links to the data.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, type NetworkSummary } from "../src/index.js";
import { packageVersion } from "../src/version.js";

describe("report from code", () => {
  it("run() writes a network run's files and report.html", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "neurocompare-api-")), "out");
    const outcome = await run(
      {
        kind: "network",
        name: "api-network",
        description: "Poisson input onto a LIF group",
        durationMs: 100,
        seeds: [3, 4],
        groups: [
          { name: "input", size: 20, model: { type: "poisson", rateHz: 40 } },
          { name: "E", size: 10, model: { type: "lif" } },
        ],
        synapses: [{ source: "input", target: "E", targetVar: "ge", connect: { rule: "all-to-all" }, weight: 2 }],
        monitors: { state: [{ group: "E", variables: ["v"] }] },
      },
      { out: dir, jobs: 1 },
    );
    expect(outcome.kind).toBe("network");
    expect(outcome.complete).toBe(true);
    for (const name of ["metrics.csv", "summary.json", "spikes.csv", "state.csv", "report.html", "report.md"])
      expect(outcome.files, name).toContain(join(dir, name));
    for (const f of outcome.files) expect(existsSync(f), f).toBe(true);
    const summary = outcome.summary as NetworkSummary;
    expect(summary.seeds).toEqual([3, 4]);
    expect(summary.packageVersion).toBe(packageVersion);
    expect(JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).environment.node).toBe(process.version);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain('data-chart="raster"');
    // The versions table that learning reports have, and links to the data files.
    expect(html).toContain(`<tr><th class="text">Node.js</th><td class="text">${process.version}</td></tr>`);
    expect(html).toContain('<a href="spikes.csv"><code>spikes.csv</code></a>');
    expect(html).toContain('<a href="state.csv"><code>state.csv</code></a>');
  });
});
