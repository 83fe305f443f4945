/**
 * Brian2 models pasted in unchanged. The equation strings below are copied
 * verbatim from Brian2's documentation examples (brian-team/brian2 at commit
 * aec54d2afae3621f42be2a7030b9bb6f21488571, the files named beside each);
 * their Python namespaces become parameter strings with the same units.
 *
 * References: Brian2's own parser (what it accepts and the dimension errors it
 * raises, with the terms it names); Brian2's simulation of the adaptive
 * exponential IF example (tests/fixtures/brian2/adex-units.py, numpy target,
 * SI arithmetic) for an end-to-end check of the unit conversion: same spike
 * steps, and vm within 1e-9 mV (the two compute in different units, mV and
 * volts, so they round differently; measured 1.2e-12 mV over 140 ms); and
 * exact arithmetic for `tau = 10*ms` against `tau = 0.01*second` (0.01 · 1000
 * is exactly 10 in float64, so the runs must be bit-identical).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EquationGroup } from "../src/snn/equations/equation-group.js";
import type { EquationModelConfig } from "../src/snn/equations/model.js";
import { PYTHON, pythonReference, requireReference } from "./helpers/python-reference.js";

/** examples/CUBA.py */
const CUBA_EQS = `
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
`;

/** examples/frompapers/Stimberg_et_al_2018/example_1_COBA.py */
const COBA_EQS = `
dv/dt = (g_l*(E_l-v) + g_e*(E_e-v) + g_i*(E_i-v) +
         I_ex)/C_m    : volt (unless refractory)
dg_e/dt = -g_e/tau_e  : siemens  # post-synaptic exc. conductance
dg_i/dt = -g_i/tau_i  : siemens  # post-synaptic inh. conductance
`;

/** examples/frompapers/Brette_Gerstner_2005.py */
const ADEX_EQS = `
dvm/dt = (gL*(EL - vm) + gL*DeltaT*exp((vm - VT)/DeltaT) + I - w)/C : volt
dw/dt = (a*(vm - EL) - w)/tauw : amp
I : amp
`;

/** examples/frompapers/Naud_et_al_2008_adex_firing_patterns.py */
const NAUD_EQS = `
    dvm/dt = (g_l*(e_l - vm) + g_l*d_t*exp((vm-v_t)/d_t) + i_stim - w)/c_m : volt
    dw/dt  = (a*(vm - e_l) - w)/tau_w : amp
    `;

/** examples/frompapers/Izhikevich_2003.py */
const IZHIKEVICH_EQS = `dv/dt = (0.04*v**2 + 5*v + 140 - u + I + I_noise )/ms : 1
         du/dt = (a*(b*v - u))/ms  : 1
         I : 1
         I_noise : 1
         a : 1
         b : 1
         c : 1
         d : 1
       `;

/** examples/COBAHH.py */
const COBAHH_EQS = `
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
         g_na*(m*m*m)*h*(v-ENa)-
         g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
`;

const ADEX_PARAMETERS = {
  C: "281 * pF",
  gL: "30 * nS",
  taum: "C / gL",
  EL: "-70.6 * mV",
  VT: "-50.4 * mV",
  DeltaT: "2 * mV",
  Vcut: "VT + 5 * DeltaT",
  tauw: "144*ms",
  a: "4*nS",
  b: "0.0805*nA",
  Vr: "-70.6*mV",
};

function build(model: EquationModelConfig, size = 1, dtMs = 0.1): EquationGroup {
  return new EquationGroup("brian2", size, model, dtMs);
}

describe("Brian2 example models paste in unchanged", () => {
  it("CUBA (examples/CUBA.py): exact method, 5 ms refractory, parameters converted to mV and ms", () => {
    const g = build({
      equations: CUBA_EQS,
      parameters: { taum: "20*ms", taue: "5*ms", taui: "10*ms", Vt: "-50*mV", Vr: "-60*mV", El: "-49*mV" },
      threshold: "v>Vt",
      reset: "v = Vr",
      refractory: "5*ms",
      method: "exact",
    });
    expect(g.method).toBe("exact");
    expect(g.refractorySteps).toBe(50);
    expect(g.code).toContain("const u_taum = 20;");
    expect(g.code).toContain("const u_Vt = (-50);");
  });

  it("COBA (Stimberg et al. 2018, example 1): multi-line equation, comments, refractory given as a parameter", () => {
    const g = build({
      equations: COBA_EQS,
      parameters: {
        E_l: "-60*mV",
        g_l: "9.99*nS",
        E_e: "0*mV",
        E_i: "-80*mV",
        C_m: "198*pF",
        tau_e: "5*ms",
        tau_i: "10*ms",
        tau_r: "5*ms",
        I_ex: "150*pA",
        V_th: "-50*mV",
        V_r: "E_l",
      },
      threshold: "v>V_th",
      reset: "v=V_r",
      refractory: "tau_r",
      method: "euler",
    });
    expect(g.refractorySteps).toBe(50);
    expect(Object.keys(g.state).sort()).toEqual(["g_e", "g_i", "v"]);
    // nS·mV/pF is mV/ms in the model's units: 9.99 nS · 10 mV / 198 pF = 0.5045... mV/ms, no factor.
    g.state.v![0] = -70;
    g.integrateAndThreshold(0);
    expect(g.state.v![0]).toBeCloseTo(-70 + 0.1 * ((9.99 * 10 + 150) / 198), 12);
  });

  it("adaptive exponential IF (Brette & Gerstner 2005; Naud et al. 2008): parameters that use parameters", () => {
    const g = build({ equations: ADEX_EQS, parameters: ADEX_PARAMETERS, threshold: "vm>Vcut", reset: "vm=Vr; w+=b" });
    expect(g.method).toBe("euler"); // nonlinear: Brian2's default order picks euler too
    expect(g.code).toContain("const u_Vcut = (-40.4);");
    expect(g.code).toContain("const u_b = 80.5;"); // 0.0805 nA in pA
    const naud = build({
      equations: NAUD_EQS,
      parameters: {
        c_m: "200 * pF",
        g_l: "12 * nS",
        e_l: "-70.0 * mV",
        v_t: "-50.0 * mV",
        d_t: "2.0 * mV",
        a: "2.0 * nS",
        tau_w: "300.0 * ms",
        b: "60.0 * pA",
        v_r: "-58.0 * mV",
        i_stim: "500 * pA",
      },
      threshold: "vm > 0*mV",
      reset: "vm = v_r; w += b",
      method: "euler",
    });
    expect(Object.keys(naud.state).sort()).toEqual(["vm", "w"]);
  });

  it("Izhikevich 2003 (dimensionless v, time in /ms, per-neuron constants)", () => {
    const g = build(
      { equations: IZHIKEVICH_EQS, parameters: {}, threshold: "v>=30", reset: "v=c; u+=d", method: "euler" },
      2,
    );
    expect(Object.keys(g.state).sort()).toEqual(["I", "I_noise", "a", "b", "c", "d", "u", "v"]);
  });

  it("COBAHH (examples/COBAHH.py): `**`, `1.`, `.5`, exprel, Hz subexpressions, exponential Euler", () => {
    const g = build({
      equations: COBAHH_EQS,
      parameters: {
        area: "20000*umetre**2",
        Cm: "(1*ufarad*cm**-2) * area",
        gl: "(5e-5*siemens*cm**-2) * area",
        El: "-60*mV",
        EK: "-90*mV",
        ENa: "50*mV",
        g_na: "(100*msiemens*cm**-2) * area",
        g_kd: "(30*msiemens*cm**-2) * area",
        VT: "-63*mV",
        taue: "5*ms",
        taui: "10*ms",
        Ee: "0*mV",
        Ei: "-80*mV",
      },
      threshold: "v>-20*mV",
      reset: "",
      refractory: "3*ms",
      method: "exponential-euler",
    });
    expect(g.method).toBe("exponential-euler");
    // 1 µF/cm² on 20,000 µm² is 200 pF; 0.05 mS/cm² on the same area is 10 nS.
    expect(g.code).toContain("const u_Cm = 200;");
    expect(g.code).toContain("const u_gl = 10;");
  });
});

describe("dimension checks name the term that disagrees (as Brian2's DimensionMismatchError)", () => {
  const cases: [string, EquationModelConfig, RegExp][] = [
    [
      "a sum of volt and amp",
      { equations: "dv/dt = (v + 1*amp)/(10*ms) : volt", parameters: {}, threshold: "v > 0*mV", reset: "" },
      /expression "v \+ 1 \* amp" uses inconsistent units \("v" has unit volt; "1 \* amp" has unit amp\)/,
    ],
    [
      "a derivative with the wrong unit",
      { equations: "dv/dt = -v : volt", parameters: {}, threshold: "v > 0*mV", reset: "" },
      /"-v" has unit volt, but dv\/dt needs volt\/second/,
    ],
    [
      "a threshold comparing volt with a number",
      { equations: "dv/dt = -v/(10*ms) : volt", parameters: {}, threshold: "v > 0", reset: "" },
      /threshold .*"v" has unit volt, "0" has unit 1/,
    ],
    [
      "exp of a voltage",
      { equations: "dv/dt = exp(v)*mV/ms : volt", parameters: {}, threshold: "v > 0*mV", reset: "" },
      /argument 1 of exp\(\) must be dimensionless, but "v" has unit volt/,
    ],
    [
      "a reset to a time",
      { equations: "dv/dt = -v/(10*ms) : volt", parameters: {}, threshold: "v > 1*mV", reset: "v = 3*ms" },
      /reset .*"3 \* ms" has unit second, but "v =" needs volt/,
    ],
    [
      "a subexpression against its declared unit",
      {
        equations: "dv/dt = -I*ohm/(10*ms) : volt\nI = v/ohm + 1*mV : amp",
        parameters: {},
        threshold: "v > 0*mV",
        reset: "",
      },
      /"v \/ ohm" has unit amp; "1 \* mV" has unit volt/,
    ],
    [
      "a prefixed unit declared (Brian2: not a base unit)",
      { equations: "dv/dt = -v/(10*ms) : mV", parameters: {}, threshold: "v > 0*mV", reset: "" },
      /"mV" is not a base unit: declare "volt"/,
    ],
    [
      "a parameter given as a plain number in a model with units",
      { equations: "dv/dt = -v/tau : volt", parameters: { tau: 10 }, threshold: "v > 0*mV", reset: "" },
      /dv\/dt needs volt\/second .*parameters given as numbers are dimensionless: "tau"/,
    ],
    [
      "an equation without a unit in a model with units",
      { equations: "dv/dt = -v/(10*ms)", parameters: {}, threshold: "v > 0*mV", reset: "" },
      /the model uses units \("ms"\), so every equation declares the unit/,
    ],
    [
      "a refractory period that is not a duration",
      {
        equations: "dv/dt = -v/(10*ms) : volt",
        parameters: {},
        threshold: "v > 1*mV",
        reset: "",
        refractory: "5*mV",
      },
      /refractory .*must be a duration/,
    ],
  ];
  for (const [what, model, message] of cases) {
    it(what, () => {
      expect(() => build(model)).toThrow(message);
    });
  }

  it("Python's power and float spellings parse: v**2, 2**-1, 1./tau", () => {
    const g = build({
      equations: "dv/dt = (v**2 * 2**-1 - v)*(1./tau) : 1",
      parameters: { tau: "10*ms" },
      threshold: "v > 1",
      reset: "v = 0",
    });
    expect(g.code).toContain("(u_v * u_v)");
    expect(g.code).toContain("_Math.pow(2, (-1))");
  });
});

describe("unit conversion end to end", () => {
  function trace(tau: string | number): number[] {
    const withUnits = typeof tau === "string";
    const g = build(
      {
        equations: withUnits ? "dv/dt = (El - v + I)/tau : volt\nI : volt" : "dv/dt = (El - v + I)/tau\nI : 1",
        parameters: withUnits ? { tau, El: "-65*mV" } : { tau, El: -65 },
        threshold: withUnits ? "v > -50*mV" : "v > -50",
        reset: withUnits ? "v = -70*mV" : "v = -70",
        method: "euler",
        initial: { v: -65 },
      },
      1,
    );
    g.state.I![0] = 20;
    const out: number[] = [];
    for (let s = 0; s < 2000; s++) {
      g.integrateAndThreshold(s);
      g.reset(s);
      out.push(g.state.v![0]!);
    }
    return out;
  }

  it("tau = 10*ms, tau = 0.01*second and a unitless tau = 10 give bit-identical traces", () => {
    const ms = trace("10*ms");
    expect(trace("0.01*second")).toEqual(ms);
    expect(trace(10)).toEqual(ms);
    expect(Math.min(...ms)).toBe(-70); // it spiked and reset
  });

  const script = fileURLToPath(new URL("./fixtures/brian2/adex-units.py", import.meta.url));
  const brian2 = pythonReference("brian2", "python3-brian");
  it.skipIf(brian2.skip)(
    `the AdEx example against Brian2 (SI arithmetic): same spike steps, vm within 1e-9 mV${brian2.why}`,
    () => {
      requireReference(brian2);
      const run = spawnSync(PYTHON, [script], { encoding: "utf8", timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      const ref = JSON.parse(run.stdout.trim().split("\n").pop()!) as { spikeSteps: number[]; vmMv: number[] };
      const g = build({
        equations: ADEX_EQS,
        parameters: ADEX_PARAMETERS,
        threshold: "vm>Vcut",
        reset: "vm=Vr; w+=b",
        method: "euler",
        initial: { vm: -70.6 },
      });
      const spikes: number[] = [];
      let worst = 0;
      for (let s = 0; s < 1400; s++) {
        if (s === 200) g.state.I![0] = 1000; // 1 nA in pA
        if (s === 1200) g.state.I![0] = 0;
        worst = Math.max(worst, Math.abs(g.state.vm![0]! - ref.vmMv[s]!));
        g.integrateAndThreshold(s);
        if (g.spikeCount > 0) spikes.push(s);
        g.reset(s);
      }
      expect(ref.spikeSteps.length).toBeGreaterThanOrEqual(4);
      expect(spikes).toEqual(ref.spikeSteps);
      expect(worst).toBeLessThan(1e-9);
    },
    120_000,
  );
});
