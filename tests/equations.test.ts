/**
 * Equation-defined neuron groups (Brian2-style model text, parsed by mathjs
 * and compiled to a JavaScript step function). References: every malformed
 * model is refused with a UserError naming its line (as Brian2's
 * equations.py refuses unknown and reserved identifiers); the CUBA neuron
 * (Vogels & Abbott 2005) written as equations spikes at exactly the steps of the built-in
 * LifGroup; Izhikevich 2003 as equations matches the built-in Euler
 * IzhikevichGroup; Hodgkin-Huxley as equations matches the built-in
 * exponential-Euler group; exponential Euler on one linear equation matches
 * V(t) = El + R·I·(1 - exp(-t/tau)).
 */
import { describe, expect, it } from "vitest";
import { EquationGroup } from "../src/snn/equations/equation-group.js";
import type { EquationModelConfig } from "../src/snn/equations/model.js";
import { LifGroup } from "../src/snn/neurons/lif.js";
import { IZHIKEVICH_PRESETS, IzhikevichGroup, type IzhikevichPreset } from "../src/snn/neurons/izhikevich.js";
import { HodgkinHuxleyGroup } from "../src/snn/neurons/hodgkin-huxley.js";
import { UserError } from "../src/core/errors.js";
import { Rng } from "../src/core/rng.js";
import type { NeuronGroup } from "../src/snn/group.js";

const cubaText = `
# CUBA neuron (Vogels & Abbott 2005, Brian2 examples/CUBA.py) plus a constant drive I
dv/dt = (ge + gi + I - (v - El)) / taum : volt (unless refractory)
dge/dt = -ge / taue : volt
dgi/dt = -gi / taui : volt
I : volt (constant)
`;
const cubaParams = { taum: 20, taue: 5, taui: 10, El: -49, Vt: -50, Vr: -60 };
const cuba: EquationModelConfig = {
  equations: cubaText,
  parameters: cubaParams,
  threshold: "v > Vt",
  reset: "v = Vr",
  refractoryMs: 5,
};
const lifParams = { tauMs: 20, elMv: -49, vThreshMv: -50, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 };

function errorOf(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe("E_EQUATION_INVALID");
    return e as UserError;
  }
  throw new Error("expected a UserError, none was thrown");
}

const model = (equations: string, extra: Partial<EquationModelConfig> = {}): EquationModelConfig => ({
  equations,
  parameters: { tau: 10, El: -70, Vt: -50, Vr: -70 },
  threshold: "v > Vt",
  reset: "v = Vr",
  ...extra,
});
const build = (m: EquationModelConfig) => () => new EquationGroup("g", 2, m, 0.1);

describe("equation models: errors name the line", () => {
  it("unknown identifier", () => {
    const e = errorOf(build(model("dv/dt = (El - v) / tau\ndw/dt = (v - w) / tauw")));
    expect(e.message).toContain("equations line 2");
    expect(e.message).toContain('"dw/dt = (v - w) / tauw"');
    expect(e.message).toContain('unknown identifier "tauw"');
  });

  it("reserved names: t, dt, i, N, JavaScript keywords, functions, leading underscore", () => {
    expect(errorOf(build(model("dv/dt = (El - v) / tau\nt = v * 2"))).message).toMatch(
      /equations line 2 .*"t" is a reserved name/,
    );
    expect(errorOf(build(model("dN/dt = -N"))).message).toMatch(/equations line 1 .*"N" is a reserved name/);
    expect(errorOf(build(model("dv/dt = (El - v) / tau\n\ndnew/dt = -new"))).message).toMatch(
      /equations line 3 .*JavaScript keyword/,
    );
    expect(errorOf(build(model("dv/dt = (El - v) / tau\nexp = v"))).message).toMatch(/equations line 2 .*a function/);
    expect(errorOf(build(model("d_x/dt = -_x"))).message).toMatch(/equations line 1 .*underscore/);
    const p = errorOf(
      build(model("dv/dt = (El - v) / tau", { parameters: { tau: 10, El: -70, Vt: -50, Vr: -70, i: 3 } })),
    );
    expect(p.message).toMatch(/parameters .*"i" is a reserved name/);
  });

  it("t, dt, i and N have their values in expressions (time in ms, t at the step's start, as Brian2's Euler)", () => {
    // dv/dt = (i + 10·N + 100·dt + 1000·t) / tau, tau 10 ms, N = 3, dt = 0.1 ms, forward Euler from v = 0:
    // step 0 (t = 0):     v += 0.1 · (i + 30 + 10) / 10      -> 0.01 · (i + 40)
    // step 1 (t = 0.1):   v += 0.1 · (i + 30 + 10 + 100) / 10 -> 0.01 · (2i + 180)
    const g = new EquationGroup(
      "g",
      3,
      model("dv/dt = (i + 10 * N + 100 * dt + 1000 * t) / tau", {
        initial: { v: 0 },
        parameters: { tau: 10, El: -70, Vt: 1e9, Vr: -70 },
        method: "euler",
      }),
      0.1,
    );
    g.integrateAndThreshold(0);
    const v0 = Array.from(g.state["v"]!);
    for (let k = 0; k < 3; k++) expect(v0[k]).toBeCloseTo(0.01 * (k + 40), 12);
    g.integrateAndThreshold(1);
    const v1 = Array.from(g.state["v"]!);
    for (let k = 0; k < 3; k++) expect(v1[k]).toBeCloseTo(0.01 * (2 * k + 180), 12);
    expect(g.spikeCount).toBe(0);
  });

  it("a conditional expression keeps its own colon (not read as a unit)", () => {
    const g = new EquationGroup(
      "g",
      1,
      model("dv/dt = (v < El ? 1 : 0) * (El - v) / tau : volt", { initial: { v: -80 } }),
      1,
    );
    expect(g.method).toBe("euler"); // not linear in v (a conditional), so Brian2's default falls back to euler
    g.integrateAndThreshold(0);
    expect(g.state.v![0]!).toBeCloseTo(-80 + (1 * (-70 - -80)) / 10, 5); // one euler step of 1 ms
  });

  it("a cycle among subexpressions", () => {
    const e = errorOf(build(model("dv/dt = (El - v + a) / tau\na = b + 1\nb = 2 * a")));
    expect(e.message).toMatch(/equations line [23] .*cycle: (a -> b -> a|b -> a -> b) \(lines (2, 3|3, 2)\)/);
  });

  it("a malformed line, a syntax error, an unknown function, an unknown flag, a duplicate", () => {
    expect(errorOf(build(model("dv/dt = (El - v) / tau\ndw/dt (El - w)"))).message).toMatch(
      /equations line 2 .*malformed line/,
    );
    expect(errorOf(build(model("dv/dt = (El - v / tau"))).message).toMatch(/equations line 1 .*cannot parse/);
    expect(errorOf(build(model("dv/dt = foo(v)"))).message).toMatch(/equations line 1 .*unknown function foo/);
    expect(errorOf(build(model("dv/dt = (El - v) / tau : volt (unless spiking)"))).message).toMatch(
      /equations line 1 .*unknown flag "unless spiking"/,
    );
    expect(errorOf(build(model("dv/dt = (El - v) / tau\ndv/dt = -v"))).message).toMatch(
      /equations line 2 .*already defined at equations line 1/,
    );
    expect(errorOf(build(model("dv/dt = [1, 2]"))).message).toMatch(/equations line 1 .*unsupported construct/);
    expect(errorOf(build(model("dv/dt = (El - v) / tau\ndw/dt =   # nothing"))).message).toMatch(
      /equations line 2 .*missing expression/,
    );
    expect(errorOf(build(model("dv/dt = (El - v) / tau + s\ns = 2 : 1 (unless refractory)"))).message).toMatch(
      /equations line 2 .*not to a subexpression/,
    );
    expect(errorOf(build(model("dv/dt = (El - v) / tau + 5!"))).message).toMatch(
      /equations line 1 .*unsupported operator/,
    );
  });

  it("reset may assign only state variables; the threshold must be a known condition", () => {
    const m = "dv/dt = (El - v + s) / tau\ns = 0 * v";
    const a = errorOf(build(model(m, { reset: "v = Vr\nEl = 3" })));
    expect(a.message).toMatch(/reset line 2 \("El = 3"\): cannot assign to "El".*a parameter/);
    expect(errorOf(build(model(m, { reset: "s = 0" }))).message).toMatch(/reset line 1 .*a subexpression/);
    expect(errorOf(build(model(m, { reset: "v = Vx" }))).message).toMatch(/reset line 1 .*unknown identifier "Vx"/);
    expect(errorOf(build(model(m, { threshold: "v > Vtt" }))).message).toMatch(/threshold .*unknown identifier "Vtt"/);
    expect(errorOf(build(model(m, { threshold: "v + 1" }))).message).toMatch(/threshold .*must be a condition/);
  });

  it("a method the equations do not allow", () => {
    const quad = "dv/dt = 0.04 * v^2 + 5 * v + 140 - u\ndu/dt = 0.02 * (0.2 * v - u)";
    expect(errorOf(build(model(quad, { method: "exact" }))).message).toMatch(
      /equations line 1 .*"exact" needs a linear system/,
    );
    expect(errorOf(build(model(quad, { method: "exponential-euler" }))).message).toMatch(
      /equations line 1 .*not linear in v/,
    );
    expect(new EquationGroup("g", 1, model(quad), 0.1).method).toBe("euler"); // Brian2's default order: exact, else euler
  });
});

/** Runs groups side by side; `drive(step, groups)` may kick state between threshold and reset (step 3 of the schedule). */
function runTogether(
  groups: NeuronGroup[],
  steps: number,
  drive?: (step: number, g: NeuronGroup) => void,
): number[][][] {
  const out = groups.map((g) => Array.from({ length: g.size }, () => [] as number[]));
  for (let s = 0; s < steps; s++) {
    groups.forEach((g, k) => {
      g.integrateAndThreshold(s);
      for (let j = 0; j < g.spikeCount; j++) out[k]![g.spiked[j]!]!.push(s);
      drive?.(s, g);
      g.reset(s);
    });
  }
  return out;
}

describe("equation models: against the built-in groups", () => {
  it("CUBA as equations picks the exact method and hoists parameters and propagators as literals", () => {
    const g = new EquationGroup("cuba", 1, cuba, 0.1);
    expect(g.method).toBe("exact");
    expect(g.code).toContain("const u_taum = 20;");
    expect(g.code).toContain(String(Math.exp(-0.1 / 20)).slice(0, 12)); // exp(-dt/taum), computed once
    expect(g.code).not.toMatch(/mathjs|evaluate\(/);
  });

  it("CUBA as equations spikes at the same steps as LifGroup: one neuron, constant drive", () => {
    const eq = new EquationGroup("cuba", 1, { ...cuba, initial: { v: -60 } }, 0.1);
    const lif = new LifGroup("lif", 1, lifParams, 0.1);
    lif.v[0] = -60;
    eq.state.I![0] = 25; // above rheobase Vt - El... plus El > Vt: fires anyway
    lif.iExt[0] = 25;
    const [a, b] = runTogether([eq, lif], 20_000);
    expect(a![0]!.length).toBeGreaterThan(100);
    expect(a).toEqual(b);
  });

  it("CUBA as equations matches LifGroup spike for spike in a 40-neuron group with random synaptic kicks", () => {
    const n = 40;
    const rng = Rng.fromSeed(7);
    const eq = new EquationGroup("cuba", n, cuba, 0.1);
    const lif = new LifGroup("lif", n, lifParams, 0.1);
    const v0 = rng.fork("v0");
    for (let i = 0; i < n; i++) {
      const v = v0.uniform(-60, -50);
      eq.state.v![i] = v;
      lif.v[i] = v;
      eq.state.I![i] = lif.iExt[i] = 5 + 3 * (i % 5);
    }
    // The same kicks into ge (+1.62 mV) and gi (-9 mV) for both groups, as synapses would deliver.
    const steps = 5000;
    const kicks = Array.from({ length: steps }, (_, s) => {
      const r = rng.fork(`kick:${s}`);
      return Array.from({ length: 4 }, () => ({ i: r.int(n), exc: r.next() < 0.8 }));
    });
    const deliver = (s: number, g: NeuronGroup): void => {
      for (const k of kicks[s]!) {
        if (k.exc) g.state.ge![k.i] = g.state.ge![k.i]! + 1.62;
        else g.state.gi![k.i] = g.state.gi![k.i]! - 9;
      }
    };
    const [a, b] = runTogether([eq, lif], steps, deliver);
    const total = a!.reduce((x, s) => x + s.length, 0);
    expect(total).toBeGreaterThan(200);
    expect(a).toEqual(b);
    for (let i = 0; i < n; i++) expect(Math.abs(eq.state.v![i]! - lif.v[i]!)).toBeLessThan(1e-4);
  });

  it("rk4 and exponential-euler on CUBA stay within 1e-3 mV of exact over 200 ms without spikes", () => {
    const quiet = { ...cuba, threshold: "v > 1000" };
    const exact = new EquationGroup("a", 1, quiet, 0.1);
    const rk4 = new EquationGroup("b", 1, { ...quiet, method: "rk4" }, 0.1);
    const ee = new EquationGroup("c", 1, { ...quiet, method: "exponential-euler" }, 0.1);
    for (const g of [exact, rk4, ee]) {
      g.state.v![0] = -60;
      g.state.ge![0] = 5;
      g.state.gi![0] = -3;
    }
    runTogether([exact, rk4, ee], 2000);
    expect(Math.abs(rk4.state.v![0]! - exact.state.v![0]!)).toBeLessThan(1e-4);
    expect(Math.abs(ee.state.v![0]! - exact.state.v![0]!)).toBeLessThan(1e-2); // first order in the ge, gi coupling
    expect(Math.abs(exact.state.v![0]! - -49)).toBeLessThan(0.01); // relaxed to El
  });

  it("exponential-euler is exact for one linear equation: V(t) = El + R·I·(1 - exp(-t/tau))", () => {
    const g = new EquationGroup(
      "lin",
      1,
      {
        equations: "dv/dt = (El - v + RI) / tau",
        parameters: { El: -70, RI: 15, tau: 20 },
        threshold: "v > 0",
        reset: "",
        method: "exponential-euler",
        initial: { v: -70 },
      },
      0.5,
    );
    for (let s = 0; s < 400; s++) {
      g.integrateAndThreshold(s);
      g.reset(s);
    }
    expect(Math.abs(g.state.v![0]! - (-70 + 15 * (1 - Math.exp(-200 / 20))))).toBeLessThan(1e-4);
  });

  it("Izhikevich 2003 as equations (euler) spikes at the same steps as the built-in Euler IzhikevichGroup", () => {
    const presets: IzhikevichPreset[] = ["RS", "IB", "CH", "FS"];
    for (const preset of presets) {
      const p = IZHIKEVICH_PRESETS[preset];
      const eq = new EquationGroup(
        "izh",
        3,
        {
          // The built-in group sums in Brian2's order (sympy's canonical order of the terms); the
          // same order here, since floating-point addition is not associative.
          equations: "dv/dt = 140 + (I + 0.04*v^2 + 5*v) - u\ndu/dt = a*(b*v - u)\nI : 1",
          parameters: { a: p.a, b: p.b, c: p.c, d: p.d },
          threshold: "v >= 30",
          reset: "v = c; u = u + d",
          method: "euler",
          initial: { v: -65, u: p.b * -65 },
        },
        0.5,
      );
      const ref = new IzhikevichGroup("izh", 3, preset, 0.5, "euler");
      [5, 10, 15].forEach((c, i) => {
        eq.state.I![i] = c;
        ref.I[i] = c;
      });
      const [a, b] = runTogether([eq, ref], 2000);
      expect(a!.flat().length).toBeGreaterThan(20);
      expect(a).toEqual(b);
    }
  });

  it("Hodgkin-Huxley as equations (exponential-euler, exprel, subexpressions) follows the built-in group's voltage trace", () => {
    const eq = new EquationGroup(
      "hh",
      1,
      {
        equations: `
          dv/dt = (I - gNa*m^3*h*(v - ENa) - gK*n^4*(v - EK) - gL*(v - EL)) / C
          dm/dt = am*(1 - m) - bm*m
          dh/dt = ah*(1 - h) - bh*h
          dn/dt = an*(1 - n) - bn*n
          am = 1/exprel(-(v + 40)/10)       # 0.1 (v+40) / (1 - exp(-(v+40)/10))
          bm = 4*exp(-(v + 65)/18)
          ah = 0.07*exp(-(v + 65)/20)
          bh = 1/(1 + exp(-(v + 35)/10))
          an = 0.1/exprel(-(v + 55)/10)     # 0.01 (v+55) / (1 - exp(-(v+55)/10))
          bn = 0.125*exp(-(v + 65)/80)
          I : 1`,
        parameters: { C: 1, gNa: 120, gK: 36, gL: 0.3, ENa: 50, EK: -77, EL: -54.387 },
        threshold: "v > 1000", // spikes are counted below as upward crossings of 0 mV
        reset: "",
        method: "exponential-euler",
      },
      0.01,
    );
    const ref = new HodgkinHuxleyGroup("hh", 1, undefined, 0.01);
    for (const name of ["v", "m", "h", "n"]) eq.state[name]![0] = ref.state[name]![0]!;
    eq.state.I![0] = 10;
    ref.iExt[0] = 10;
    const crossings: number[][] = [[], []];
    let maxDiff = 0;
    for (let s = 0; s < 10_000; s++) {
      const before = [eq.state.v![0]!, ref.v[0]!];
      eq.integrateAndThreshold(s);
      ref.integrateAndThreshold(s);
      [eq.state.v![0]!, ref.v[0]!].forEach((v, k) => {
        if (before[k]! <= 0 && v > 0) crossings[k]!.push(s);
      });
      maxDiff = Math.max(maxDiff, Math.abs(eq.state.v![0]! - ref.v[0]!));
    }
    expect(crossings[0]!.length).toBeGreaterThan(5);
    expect(crossings[0]!.length).toBe(crossings[1]!.length);
    crossings[0]!.forEach((s, k) => expect(Math.abs(s - crossings[1]![k]!)).toBeLessThanOrEqual(1));
    expect(maxDiff).toBeLessThan(0.5); // mV, on a 100 mV spike; rounding differences only
  });
});
