/**
 * The public API (src/index.ts), used the way a researcher scripts with it,
 * so it cannot break silently. References:
 * - a 2-8-2 network built from the exported layers learns XOR, a problem with
 *   an exact solution (every one of the 4 points classified, loss below 0.1;
 *   2-2-1 tanh networks solve it, so 8 hidden units leave a wide margin);
 * - one LIF neuron with El above threshold and no input fires periodically:
 *   from reset Vr it reaches Vt after τ·ln((El − Vr)/(El − Vt)), then stays
 *   refractory, so the interspike interval is t_ref + τ·ln(11) = 52.958 ms
 *   for the CUBA neuron (Vogels & Abbott 2005). The crossing is found on the
 *   step grid (and stamped at the step's start, as Brian2 does), so each
 *   measured interval lies within one dt (0.1 ms) of the analytic one;
 * - a synapse population delivers one event per synapse of every presynaptic
 *   spike (the count Brian2 reports as synaptic events);
 * - bad input at the boundary throws the friendly ScenarioError (JSON path,
 *   expected, found), never zod's own output;
 * - the exact list of exported values, so adding or removing one is a
 *   deliberate change to this file.
 */
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import {
  Activation,
  CurrentInput,
  Dense,
  LifGroup,
  Network,
  Rng,
  ScenarioError,
  Sequential,
  SpikeMonitor,
  Synapses,
  createLearner,
  createOptimizer,
  createTask,
  validateScenario,
} from "../src/index.js";

const cubaNeuron = { tauMs: 20, elMv: -49, vThreshMv: -50, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 };

function errorOf(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error("expected a ScenarioError, none was thrown");
}

describe("public API: artificial networks", () => {
  it("a 2-8-2 network of exported layers learns XOR", () => {
    const rng = Rng.fromSeed(3);
    const x = Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
    const y = Int32Array.from([0, 1, 1, 0]);
    const net = new Sequential(
      [new Dense(2, 8, 4, rng.fork("d1")), new Activation("tanh", 8, 4), new Dense(8, 2, 4, rng.fork("d2"))],
      "softmax-cross-entropy",
      4,
    );
    const opt = createOptimizer({ type: "adam", learningRate: 0.05 });
    const first = net.evaluate(x, y, 4).loss;
    for (let step = 0; step < 300; step++) {
      net.trainStep(x, y, 0, 4);
      opt.step(net.params());
    }
    const end = net.evaluate(x, y, 4);
    expect(end.correct).toBe(4);
    expect(end.loss).toBeLessThan(0.1);
    expect(end.loss).toBeLessThan(first);
  });

  it("createTask and createLearner fill in defaults and train through the Learner interface", () => {
    const rng = Rng.fromSeed(1);
    const task = createTask({ type: "xor", trainSize: 64, testSize: 32 }, rng.fork("task"));
    expect(task.shape).toMatchObject({ inputSize: 2, classes: 2 });
    const mlp = createLearner({ type: "mlp", hidden: [8] }, task.shape, rng.fork("learner"));
    expect(mlp.type).toBe("mlp");
    const r = mlp.trainBatch(task.train.x.subarray(0, 32 * 2), task.train.y.subarray(0, 32), 32);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.correct).toBeGreaterThanOrEqual(0);
    expect(r.correct).toBeLessThanOrEqual(32);
  });

  it("a bad learner or task config is a ScenarioError with the JSON path", () => {
    const shape = { inputSize: 2, classes: 2, featureRange: { min: 0, max: 1 } };
    const e = errorOf(() => createLearner({ type: "mlp", hidden: [0] }, shape, Rng.fromSeed(0)));
    expect(e.issues[0]).toMatchObject({ path: "$.hidden[0]" });
    expect(e.message).toMatch(/^learner config: 1 problem/);
    // A config the types forbid still gets an answer, not a crash.
    const t = errorOf(() => createTask(JSON.parse('{"type":"spirals"}') as never, Rng.fromSeed(0)));
    expect(t.issues[0]!.expected).toMatch(/xor/);
  });
});

describe("public API: spiking networks", () => {
  it("a LIF neuron with El above threshold fires at t_ref + τ·ln(11) intervals, and its synapses deliver", () => {
    const dtMs = 0.1;
    const pre = new LifGroup("pre", 1, cubaNeuron, dtMs);
    pre.state["v"]!.fill(cubaNeuron.vResetMv);
    const post = new LifGroup("post", 3, { ...cubaNeuron, elMv: -65 }, dtMs);
    post.state["v"]!.fill(-65);
    const syn = new Synapses({
      source: pre,
      target: post,
      targetVar: "ge",
      connect: { rule: "all-to-all" },
      weight: 2,
    });
    const spikes = new SpikeMonitor(pre, dtMs);
    const drive = new CurrentInput({ target: post, targetVar: "iExt", amplitude: 0 }, dtMs);
    const net = new Network({ dtMs, groups: [pre, post], synapses: [syn], currents: [drive], monitors: [spikes] });
    net.run(1000);

    const times = spikes.timesMs();
    const analyticMs = cubaNeuron.refractoryMs + cubaNeuron.tauMs * Math.log(11);
    expect(times.length).toBeGreaterThanOrEqual(17);
    for (let k = 1; k < times.length; k++) {
      const isi = times[k]! - times[k - 1]!;
      expect(Math.abs(isi - analyticMs)).toBeLessThanOrEqual(dtMs + 1e-9);
    }
    expect(syn.events).toBe(3 * times.length);
  });
});

describe("public API: scenarios at the boundary", () => {
  it("validateScenario fills in defaults, description included", () => {
    const v = validateScenario({ name: "xor-mlp", task: { type: "xor" }, learners: [{ type: "mlp" }], epochs: 2 });
    expect(v.kind).toBe("learning");
    expect(v.scenario.description).toBe("");
    expect(v.scenario.seeds).toEqual([0]);
    const n = validateScenario({
      kind: "network",
      name: "one",
      durationMs: 10,
      groups: [{ name: "g", size: 1, model: { type: "lif" } }],
    });
    expect(n.kind).toBe("network");
    expect(n.scenario.description).toBe("");
  });

  it("a bad scenario throws the CLI's friendly ScenarioError, with lines when given JSON text", () => {
    const e = errorOf(() =>
      validateScenario({ name: "x", task: { type: "xor" }, learners: [], epochs: 0 }, "mine.json"),
    );
    expect(e.code).toBe("E_SCENARIO_INVALID");
    expect(e.issues.map((i) => i.path).sort()).toEqual(["$.epochs", "$.learners"]);
    expect(e.message).toMatch(/^mine\.json: 2 problems\n {2}mine\.json: at \$\./);
    expect(e.message).not.toMatch(/"code":|ZodError|too_small/);
    expect(e.issues[0]!.line).toBeUndefined();
    const text =
      '{\n  "name": "x",\n  "task": { "type": "xor" },\n  "learners": [{ "type": "mlp" }],\n  "epochs": -1\n}\n';
    const t = errorOf(() => validateScenario(text, "mine.json"));
    expect(t.issues[0]).toMatchObject({ path: "$.epochs", line: 5 });
    expect(errorOf(() => validateScenario("{ nope", "mine.json")).code).toBe("E_JSON_SYNTAX");
  });
});

describe("public API: the exported values", () => {
  it("are exactly these (internal helpers stay out)", () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        "AC_PJ",
        "ADEX_BRETTE_GERSTNER_2005",
        "ActivityCriterion",
        "Activation",
        "AdaptiveThreshold",
        "AdexGroup",
        "AvgPool2D",
        "ConductanceLifGroup",
        "Conv2D",
        "CurrentInput",
        "DRAM_ACCESS_PJ",
        "Dense",
        // run() and its exit codes (the runs layer)
        "EXIT_DIVERGED",
        "EXIT_OK",
        "EXIT_STOPPED",
        "run",
        "EquationGroup",
        "Flatten",
        "HH_SQUID",
        "HodgkinHuxleyGroup",
        "IZHIKEVICH_PRESETS",
        "IzhikevichGroup",
        "LifGroup",
        "LifLayer",
        "MAC_PJ",
        "MaxPool2D",
        "Network",
        "NeuroError",
        "NirExecutor",
        "PairStdp",
        "PoissonGroup",
        "PopulationRateMonitor",
        "Recurrent",
        "RewardStdp",
        "Rng",
        "ScenarioError",
        "Sequential",
        "SpikeGeneratorGroup",
        "SpikeMonitor",
        "StateMonitor",
        "Synapses",
        "TripletStdp",
        "UserError",
        "buildCuba",
        "chartNames",
        "computeLoss",
        "confidenceInterval",
        "connectionDensity",
        "costMetrics",
        "createLearner",
        "createOptimizer",
        "createPlasticity",
        "createTask",
        "defaultHookFactories",
        "effectSize",
        "effectiveOps",
        "exportNir",
        "forgettingMetrics",
        "graphRobustness",
        "histogram",
        "interSpikeIntervals",
        "latencyCode",
        "layeredGraph",
        "learnerToNir",
        "learningMetrics",
        "lesionSynapses",
        "liveCount",
        "loadAnyScenario",
        "magnitudePrune",
        "maskCounts",
        "mean",
        "meanSquaredError",
        "networkToNir",
        "nirReady",
        "nirToNetwork",
        "measureRobustness",
        "noisyCopy",
        "populationGraph",
        "pruneIteratively",
        "pruneParams",
        "pruneSynapsesAtRandom",
        "pruneSynapsesByMagnitude",
        "randomPrune",
        "rateCode",
        "readNir",
        "recurrentGraph",
        "regrowSynapses",
        "rewindWeights",
        "routingStats",
        "runNetworkScenario",
        "runScenario",
        "sampleStd",
        "scenarioJsonSchema",
        "schedulePlan",
        "snapshotWeights",
        "softmaxCrossEntropy",
        "spikeCounts",
        "studentTQuantile",
        "summarize",
        "synapseCount",
        "synapseDensity",
        "validateScenario",
        "weightStats",
        "welchTTest",
        "writeData",
        "writeNetworkReport",
        "writeNir",
        "writeReport",
      ].sort(),
    );
    expect(api).not.toHaveProperty("lowestK");
    expect(api).not.toHaveProperty("scenarioSchema");
  });
});
