// The bench command's contract (issues 3 and 4): `--json` prints one JSON
// object with the documented keys; a wrong workload or option exits 2.
// Timing figures themselves are benchmarks, not tested here.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

describe("neurocompare bench", () => {
  it("prints CUBA's figures as one JSON object", () => {
    const r = run(["bench", "cuba", "--neurons", "800", "--duration", "0.1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout.trim());
    for (const k of ["neurons", "synapses", "spikes", "meanRateHz", "buildMs", "simMs", "peakRssMb"])
      expect(typeof o[k]).toBe("number");
    expect(o.neurons).toBe(800);
    expect(o.synapses).toBeGreaterThan(800 * 80 * 0.9); // in-degree held at 80
    expect(o.synapses).toBeLessThan(800 * 80 * 1.1);
  });

  it("refuses an unknown workload and a bad option with exit 2", () => {
    const a = run(["bench", "transformer"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain("mlp, cnn, lstm, cuba");
    const b = run(["bench", "cuba", "--neurons", "-5"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain("--neurons");
  });
});
