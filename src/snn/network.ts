/**
 * A clock-driven network: neuron groups (spike sources such as PoissonGroup
 * and SpikeGeneratorGroup are groups too), synapses, injected currents and
 * monitors, advanced in fixed steps of dtMs. Each step runs the schedule of
 * src/snn/group.ts, in this order:
 *
 *   0. currents write their level; "start" monitors (StateMonitor) sample,
 *   1-2. every group integrates over dt and thresholds,
 *   3. every synapse population delivers this step's spikes (and delayed ones),
 *   4. every group resets the neurons that spiked,
 *   5. "end" monitors (SpikeMonitor, PopulationRateMonitor) record.
 *
 * The step counter persists across `run` calls, so delays and refractory
 * periods carry over. Monitors reserve their room before the loop, and the
 * loop itself allocates nothing.
 *
 * One dt: the network owns the time step. Groups, spike sources, currents,
 * synapses (their source and target) and monitors each carry the dt they
 * were built with (monitors and currents take their group's when none is
 * given), and adding one whose dt differs is refused with a UserError that
 * names it: a monitor built for 1 ms in a 0.1 ms network would otherwise
 * report spike times ten times too late.
 */
import { UserError } from "../core/errors.js";
import type { NeuronGroup } from "./group.js";
import type { CurrentInput } from "./inputs/current.js";
import type { Monitor } from "./monitors.js";
import type { SpikeSource, Synapses } from "./synapses/synapses.js";

/** The time step (ms) and the parts of a {@link Network}. */
export interface NetworkConfig {
  dtMs: number;
  groups?: readonly NeuronGroup[];
  synapses?: readonly Synapses[];
  currents?: readonly CurrentInput[];
  monitors?: readonly Monitor[];
}

/**
 * A clock-driven spiking network advanced in fixed steps of dtMs, in Brian2's schedule: currents and "start"
 * monitors, integrate and threshold, synaptic delivery, reset, "end" monitors.
 *
 * ```ts
 * const exc = new LifGroup("exc", 100, { tauMs: 20, elMv: -49, vThreshMv: -50, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 }, 0.1);
 * const spikes = new SpikeMonitor(exc, 0.1);
 * const net = new Network({ dtMs: 0.1, groups: [exc], monitors: [spikes] });
 * net.run(100); // ms
 * ```
 */
export class Network {
  readonly dtMs: number;
  /** The next step to run (steps run so far). */
  step = 0;
  private readonly groups: NeuronGroup[] = [];
  private readonly synapses: Synapses[] = [];
  private readonly currents: CurrentInput[] = [];
  private readonly startMonitors: Monitor[] = [];
  private readonly endMonitors: Monitor[] = [];

  constructor(cfg: NetworkConfig) {
    if (!(cfg.dtMs > 0) || !Number.isFinite(cfg.dtMs))
      throw new UserError("E_CONFIG_INVALID", `network: dtMs must be a positive number, found ${cfg.dtMs}`);
    this.dtMs = cfg.dtMs;
    for (const g of cfg.groups ?? []) this.addGroup(g);
    for (const s of cfg.synapses ?? []) this.addSynapses(s);
    for (const c of cfg.currents ?? []) this.addCurrent(c);
    for (const m of cfg.monitors ?? []) this.addMonitor(m);
  }

  /** Biological time reached, ms. */
  get tMs(): number {
    return this.step * this.dtMs;
  }

  /** Throws unless `dtMs` is the network's (to a relative 1e-9, so 0.1 and 1 / 10 agree). */
  private checkDt(what: string, dtMs: number | undefined): void {
    if (dtMs === undefined || Math.abs(dtMs - this.dtMs) <= 1e-9 * this.dtMs) return;
    throw new UserError(
      "E_CONFIG_INVALID",
      `network (dt ${this.dtMs} ms): ${what} was built with dt ${dtMs} ms; the network owns dt, so build it with the network's dt (network.dtMs), or leave dt out where it is optional (monitors, currents)`,
    );
  }

  /** Adds a neuron group or spike source (names must be unique). */
  addGroup(g: NeuronGroup): this {
    if (this.groups.some((h) => h.name === g.name))
      throw new UserError("E_CONFIG_INVALID", `network: two groups are named "${g.name}"`);
    this.checkDt(`group "${g.name}"`, g.dtMs);
    this.groups.push(g);
    return this;
  }

  /** Adds a synapse population; populations deliver in the order they were added. */
  addSynapses(s: Synapses): this {
    const end = (x: SpikeSource) => this.checkDt(`synapses "${s.name}": their source or target "${x.name}"`, x.dtMs);
    end(s.source);
    end(s.target);
    this.synapses.push(s);
    return this;
  }

  /** Adds an injected current. */
  addCurrent(c: CurrentInput): this {
    this.checkDt(`the current into "${c.target.name}.${c.targetVar}"`, c.dtMs);
    this.currents.push(c);
    return this;
  }

  /** Adds a monitor, plasticity rule or pruning criterion; it records at its `when` point of each step. */
  addMonitor(m: Monitor): this {
    this.checkDt(`monitor ${monitorName(m)}`, m.dtMs);
    (m.when === "start" ? this.startMonitors : this.endMonitors).push(m);
    return this;
  }

  /** Runs round(durationMs / dt) steps; returns the number of steps run. */
  run(durationMs: number): number {
    const steps = Math.round(durationMs / this.dtMs);
    if (!(steps >= 0) || Math.abs(steps * this.dtMs - durationMs) > 1e-6 * Math.max(1, durationMs)) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `network: duration ${durationMs} ms is not a whole number of ${this.dtMs} ms steps`,
      );
    }
    this.runSteps(steps);
    return steps;
  }

  /** Runs `steps` steps of the schedule. */
  runSteps(steps: number): void {
    for (const m of this.startMonitors) m.reserve(steps);
    for (const m of this.endMonitors) m.reserve(steps);
    const groups = this.groups;
    const syn = this.synapses;
    const cur = this.currents;
    const startM = this.startMonitors;
    const endM = this.endMonitors;
    const nG = groups.length;
    const nS = syn.length;
    const nC = cur.length;
    const nSM = startM.length;
    const nEM = endM.length;
    const end = this.step + steps;
    for (let t = this.step; t < end; t++) {
      for (let k = 0; k < nC; k++) cur[k]!.apply(t);
      for (let k = 0; k < nSM; k++) startM[k]!.record(t);
      for (let k = 0; k < nG; k++) groups[k]!.integrateAndThreshold(t);
      for (let k = 0; k < nS; k++) syn[k]!.deliver(t);
      for (let k = 0; k < nG; k++) groups[k]!.reset(t);
      for (let k = 0; k < nEM; k++) endM[k]!.record(t);
    }
    this.step = end;
  }
}

/** A monitor's kind and what it watches, for messages: `SpikeMonitor(exc)`. */
function monitorName(m: Monitor): string {
  const watched: unknown = Reflect.get(m, "source") ?? Reflect.get(m, "group") ?? Reflect.get(m, "pathway");
  const name = typeof watched === "object" && watched !== null ? Reflect.get(watched, "name") : undefined;
  return `${m.constructor.name}${typeof name === "string" ? `(${name})` : ""}`;
}
