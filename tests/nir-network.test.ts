/**
 * Network scenarios and NIR graphs, both ways (scenario/nir-network.ts).
 *
 * References:
 * - Export then import of a network scenario made of NIR primitives is the
 *   same network: run with the same seed, the same spikes, step for step.
 *   (The test's time constants and dt make every weight conversion a
 *   multiplication by a power of two, exact in float32, so no tolerance.)
 * - Imports of files from other tools keep their operators: the synapses
 *   composed from the Sinabs CNN's first convolution give, on a random input,
 *   the executor's own Conv2d output (within 1e-4, float32 sums in another
 *   order); the Braille graph's CubaLIF parameters come back in ms and its
 *   two biases (input Affine and recurrent Affine) add up on the group.
 * - What NIR cannot express is refused with the group or synapses named.
 * - The engine's schedule (Brian2's: a spike reaches its target after the
 *   target has integrated that step) differs from NIR's same-step executors:
 *   lif_norse imported as a network and driven by lif_exact's input fires as
 *   many spikes, never earlier than the executor's.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../src/core/errors.js";
import { Rng } from "../src/core/rng.js";
import { NirExecutor } from "../src/snn/nir/executor.js";
import { readNir } from "../src/snn/nir/hdf5.js";
import { networkScenarioSchema } from "../src/scenario/network-schema.js";
import { networkToNir, nirToNetwork } from "../src/scenario/nir-network.js";
import { runNetworkScenario } from "../src/runs/run-network.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/nir/${name}`, import.meta.url));

const NETWORK = {
  kind: "network",
  name: "nir-roundtrip",
  description: "NIR primitives with power-of-two time constants",
  dtMs: 1,
  durationMs: 300,
  seeds: [5],
  groups: [
    { name: "input", size: 30, model: { type: "poisson", rateHz: 80 } },
    { name: "hidden", size: 16, model: { type: "nir-lif", tauMs: 8, vThreshold: 1, bias: 0.25 } },
    { name: "out", size: 4, model: { type: "nir-cuba-lif", tauSynMs: 4, tauMemMs: 8, vThreshold: 1 } },
    { name: "acc", size: 4, model: { type: "nir-if", vThreshold: 3 } },
  ],
  synapses: [
    {
      source: "input",
      target: "hidden",
      targetVar: "v",
      connect: { rule: "probability", p: 0.5 },
      weight: { dist: "uniform", lo: 0, hi: 0.4 },
    },
    { source: "hidden", target: "hidden", targetVar: "v", connect: { rule: "probability", p: 0.3 }, weight: -0.125 },
    {
      source: "hidden",
      target: "out",
      targetVar: "I",
      connect: { rule: "all-to-all" },
      weight: { dist: "uniform", lo: 0, hi: 0.5 },
    },
    { source: "out", target: "acc", targetVar: "v", connect: { rule: "one-to-one" }, weight: 1 },
  ],
};

describe("network scenario -> NIR -> network scenario", () => {
  it("is the same network: the same spikes, step for step", () => {
    const s = networkScenarioSchema.parse(NETWORK);
    const graph = networkToNir(s, "roundtrip.json");
    expect([...graph.nodes.values()].map((n) => n.type)).toEqual([
      "Input",
      "LIF",
      "CubaLIF",
      "IF",
      "Affine",
      "Linear",
      "Linear",
      "Linear",
      "Output",
    ]);
    expect(graph.nodes.get("hidden")!.params["tau"]!.data[0]).toBe(0.008); // seconds in NIR
    expect(graph.metadata["dt"]).toBe(0.001);
    const raw = nirToNetwork(graph, "roundtrip.nir", { name: "back", durationMs: 300 }) as {
      groups: { name: string; model: Record<string, unknown> }[];
    };
    // The importer makes inputs empty spike generators; give it the original Poisson source back.
    raw.groups[0]!.model = NETWORK.groups[0]!.model;
    const back = networkScenarioSchema.parse({ ...raw, seeds: [5] });
    expect(back.groups.map((g) => g.model.type)).toEqual(["poisson", "nir-lif", "nir-cuba-lif", "nir-if"]);
    const a = runNetworkScenario(s, "a");
    const b = runNetworkScenario(back, "b");
    const spikes = (r: typeof a) =>
      r.recordings.spikes.map((x) => [x.group, Array.from(x.indices), Array.from(x.timesMs)]);
    expect(a.runs[0]!.groups.find((g) => g.group === "out")!.spikes).toBeGreaterThan(10);
    expect(spikes(b)).toEqual(spikes(a));
  });

  it("refuses what NIR cannot express, naming the group or synapses", () => {
    const refused = (patch: (s: Record<string, unknown>) => void, message: RegExp) => {
      const raw = structuredClone(NETWORK) as Record<string, unknown>;
      patch(raw);
      const s = networkScenarioSchema.parse(raw);
      expect(() => networkToNir(s, "f.json")).toThrow(ScenarioError);
      expect(() => networkToNir(s, "f.json")).toThrow(message);
    };
    const groups = (s: Record<string, unknown>) => s["groups"] as { model: Record<string, unknown> }[];
    const synapses = (s: Record<string, unknown>) => s["synapses"] as Record<string, unknown>[];
    refused(
      (s) => (groups(s)[1]!.model = { type: "izhikevich", preset: "RS" }),
      /groups\[1\]\.model\.type.*group "hidden" is an Izhikevich neuron, which NIR cannot express/,
    );
    refused((s) => (groups(s)[1]!.model = { type: "adex" }), /"hidden" is an adaptive exponential/);
    refused((s) => (groups(s)[1]!.model = { type: "hodgkin-huxley" }), /"hidden" is a Hodgkin-Huxley neuron/);
    refused((s) => (groups(s)[1]!.model = { type: "lif" }), /"hidden" is a CUBA LIF neuron with a refractory/);
    refused(
      (s) => (synapses(s)[0]!["plasticity"] = { rule: "pair-stdp" }),
      /synapses\[0\]\.plasticity.*learn with pair-stdp \(STDP\), which NIR cannot express/,
    );
    refused((s) => (synapses(s)[0]!["delayMs"] = 2), /synapses\[0\]\.delayMs/);
    refused(
      (s) => (s["currents"] = [{ target: "hidden", variable: "v", amplitude: 1 }]),
      /currents\[0\].*a current into hidden\.v/,
    );
  });
});

describe("NIR files from other tools as network scenarios", () => {
  it("Sinabs CNN: the synapses from the input reproduce the first convolution", async () => {
    const g = await readNir(fixture("cnn_sinabs.nir"));
    const raw = nirToNetwork(g, "cnn_sinabs.nir", { name: "cnn", dtMs: 1 }) as {
      groups: { name: string; size: number; model: Record<string, unknown> }[];
      synapses: { source: string; target: string; connect: { pre: number[]; post: number[] }; weight: number[] }[];
    };
    // Inputs first, then neuron groups in the file's node order (h5py writes names sorted: "1", "10", ...).
    expect(raw.groups.map((x) => [x.name, x.size, x.model["type"]])).toEqual([
      ["input", 2312, "spike-generator"],
      ["n_1", 4096, "nir-if"],
      ["n_10", 256, "nir-if"],
      ["n_12", 10, "nir-if"],
      ["n_3", 4096, "nir-if"],
      ["n_6", 512, "nir-if"],
    ]);
    expect(raw.synapses.map((x) => `${x.source}->${x.target}`).sort()).toEqual([
      "input->n_1",
      "n_1->n_3",
      "n_10->n_12",
      "n_3->n_6",
      "n_6->n_10",
    ]);
    const first = raw.synapses.find((x) => x.source === "input")!;
    const rng = Rng.fromSeed(9);
    const x = Float32Array.from({ length: 2312 }, () => (rng.uniform(0, 1) < 0.2 ? 1 : 0));
    const viaSynapses = new Float64Array(4096);
    first.connect.pre.forEach((p, k) => {
      viaSynapses[first.connect.post[k]!]! += first.weight[k]! * x[p]!; // IF: r = 1, so the jump is the weight
    });
    const ex = new NirExecutor(g, "cnn_sinabs.nir", { dtS: 1e-3, maxBatch: 1 });
    ex.reset();
    ex.inputBuffer.set(x);
    ex.step(1);
    const conv = ex.nodeOutput("0");
    let worst = 0;
    for (let i = 0; i < 4096; i++) worst = Math.max(worst, Math.abs(viaSynapses[i]! - conv[i]!)); // bias 0 here
    expect(worst).toBeLessThan(1e-4);
    expect(networkScenarioSchema.safeParse(raw).success).toBe(true);
  });

  it("snnTorch Braille graph: CubaLIF groups in ms, the two biases summed, the recurrent population kept", async () => {
    const g = await readNir(fixture("braille_noDelay_bias_zero.nir"));
    const raw = nirToNetwork(g, "braille", { name: "braille", dtMs: 0.1 }) as {
      groups: { name: string; size: number; model: Record<string, unknown> }[];
      synapses: { source: string; target: string; targetVar: string }[];
    };
    const hidden = raw.groups.find((x) => x.name === "lif1_lif")!;
    expect(hidden.model["type"]).toBe("nir-cuba-lif");
    expect(hidden.model["tauMemMs"]).toBeCloseTo(1, 6);
    expect(hidden.model["tauSynMs"]).toBeCloseTo(0.2222222, 6);
    const b = hidden.model["bias"] as number[];
    const fc1 = g.nodes.get("fc1")!.params["bias"]!.data;
    const rec = g.nodes.get("lif1.w_rec")!.params["bias"]!.data;
    b.forEach((x, j) => expect(x).toBeCloseTo(fc1[j]! + rec[j]!, 6));
    expect(raw.synapses.map((x) => `${x.source}->${x.target}:${x.targetVar}`).sort()).toEqual([
      "input->lif1_lif:I",
      "lif1_lif->lif1_lif:I",
      "lif1_lif->lif2:I",
    ]);
  });

  it("lif_norse as a network driven by lif_exact's input: as many spikes, none earlier than NIR's", async () => {
    const g = await readNir(fixture("lif_norse.nir"));
    const raw = nirToNetwork(g, "lif_norse.nir", { name: "lif", dtMs: 0.1 }) as {
      groups: { model: Record<string, unknown> }[];
    };
    const rows = readFileSync(fixture("lif_exact.csv"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(",").map(Number));
    const times = rows.flatMap((r, k) => (r[0] === 1 ? [k * 0.1] : []));
    raw.groups[0]!.model = { type: "spike-generator", indices: times.map(() => 0), timesMs: times };
    const s = networkScenarioSchema.parse(raw);
    const run = runNetworkScenario(s, "lif");
    const steps = Array.from(run.recordings.spikes[1]!.timesMs, (t) => Math.round(t * 10));
    const nir = [460, 510, 710, 760];
    expect(steps.length).toBe(nir.length);
    steps.forEach((st, k) => expect(st).toBeGreaterThanOrEqual(nir[k]!));
  });
});
