/**
 * Cross-check against Brian2 (Debian python3-brian, numpy runtime target, no
 * compilation): CUBA LIF neurons (Vogels & Abbott 2005; taum 20 ms, El -49 mV,
 * Vt -50 mV, Vr -60 mV, refractory 5 ms) under constant drive and
 * initial synaptic currents, integrated with Brian2's "exact" method
 * (tests/fixtures/brian2/lif-constant-drive.py). Our LifGroup and the same
 * model as an EquationGroup must spike at Brian2's steps, within one dt.
 * Skipped, with the reason, when /usr/bin/python3 cannot import brian2; a
 * failure when CI is set.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LifGroup } from "../src/snn/neurons/lif.js";
import { EquationGroup } from "../src/snn/equations/equation-group.js";
import type { NeuronGroup } from "../src/snn/group.js";
import { PYTHON, pythonReference, requireReference } from "./helpers/python-reference.js";

const script = fileURLToPath(new URL("./fixtures/brian2/lif-constant-drive.py", import.meta.url));
const brian2 = pythonReference("brian2", "python3-brian");

const DURATION_MS = 300;
const DT = 0.1;
const init = { v: [-60, -55, -52, -58], I: [0, 5, 15, -0.5], ge: [0, 4, 0, 6], gi: [0, 0, -3, 0] };

function spikeSteps(g: NeuronGroup): number[][] {
  const out = Array.from({ length: g.size }, () => [] as number[]);
  const steps = Math.round(DURATION_MS / DT);
  for (let s = 0; s < steps; s++) {
    g.integrateAndThreshold(s);
    for (let k = 0; k < g.spikeCount; k++) out[g.spiked[k]!]!.push(s);
    g.reset(s);
  }
  return out;
}

describe.skipIf(brian2.skip)(`Brian2 2.5 cross-check: CUBA LIF under constant drive${brian2.why}`, () => {
  it("LifGroup and the equation model spike at Brian2's steps (within one dt)", () => {
    requireReference(brian2);
    const run = spawnSync(PYTHON, [script, String(DURATION_MS)], { encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const ref = JSON.parse(run.stdout.trim().split("\n").pop()!) as { spikeSteps: number[][] };

    const lif = new LifGroup(
      "lif",
      4,
      { tauMs: 20, elMv: -49, vThreshMv: -50, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 },
      DT,
    );
    const eq = new EquationGroup(
      "eq",
      4,
      {
        equations: `dv/dt = (ge + gi + I - (v - El)) / taum : volt (unless refractory)
                    dge/dt = -ge / taue : volt
                    dgi/dt = -gi / taui : volt
                    I : volt (constant)`,
        parameters: { taum: 20, taue: 5, taui: 10, El: -49, Vt: -50, Vr: -60 },
        threshold: "v > Vt",
        reset: "v = Vr",
        refractoryMs: 5,
        method: "exact",
      },
      DT,
    );
    for (let i = 0; i < 4; i++) {
      lif.v[i] = eq.state.v![i] = init.v[i]!;
      lif.iExt[i] = eq.state.I![i] = init.I[i]!;
      lif.ge[i] = eq.state.ge![i] = init.ge[i]!;
      lif.gi[i] = eq.state.gi![i] = init.gi[i]!;
    }
    const ours = [spikeSteps(lif), spikeSteps(eq)];
    expect(ref.spikeSteps.flat().length).toBeGreaterThan(30);
    for (const mine of ours) {
      for (let i = 0; i < 4; i++) {
        expect(mine[i]!.length, `neuron ${i}`).toBe(ref.spikeSteps[i]!.length);
        mine[i]!.forEach((s, k) => expect(Math.abs(s - ref.spikeSteps[i]![k]!)).toBeLessThanOrEqual(1));
      }
    }
  }, 120_000);
});
