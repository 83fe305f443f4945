/**
 * Injected currents: writes a value into a target state variable (for
 * LifGroup, "iExt" in mV) at the start of each step, before the groups
 * integrate. Constant: value = amplitude. Stepped: value = amplitude ·
 * levels[k] from timesMs[k] on (0 before the first time). `amplitude` is one
 * number or one number per targeted neuron (an image as a current pattern).
 * The variable is written only when the level changes, so a constant current
 * costs nothing after its first step.
 */
import { UserError } from "../../core/errors.js";
import { type NeuronGroup, type StateArray, stateVariable } from "../group.js";

/** Where a {@link CurrentInput} writes (group, variable, neurons), how much, and when its level steps. */
export interface CurrentConfig {
  target: NeuronGroup;
  /** The variable written, e.g. "iExt". */
  targetVar: string;
  /** One scale, or one per index. */
  amplitude: number | Float32Array;
  /** Neurons driven; default all. */
  indices?: Int32Array;
  /** Stepped levels: level k applies from timesMs[k] on (increasing); omitted means constant 1. */
  steps?: { timesMs: readonly number[]; levels: readonly number[] };
}

/**
 * An injected current: writes amplitude × level into a state variable (for {@link LifGroup}, `iExt` in mV) at the
 * start of each step, constant or stepped in time.
 */
export class CurrentInput {
  readonly target: NeuronGroup;
  readonly targetVar: string;
  /** The time step the change times were rounded to, ms (it must be the network's). */
  readonly dtMs: number;
  private readonly arr: StateArray;
  private readonly indices: Int32Array | null;
  private readonly amplitude: number | Float32Array;
  private readonly changeSteps: Int32Array;
  private readonly levels: Float64Array;
  private lastLevel = Number.NaN;

  /** `dtMs`: default the target group's. */
  constructor(cfg: CurrentConfig, dtMs?: number) {
    this.target = cfg.target;
    this.targetVar = cfg.targetVar;
    this.dtMs = dtMs ?? cfg.target.dtMs;
    const arr = stateVariable(cfg.target, cfg.targetVar);
    if (arr === undefined)
      throw new UserError(
        "E_CONFIG_INVALID",
        `current input: group ${cfg.target.name} has no variable "${cfg.targetVar}"`,
      );
    this.arr = arr;
    this.indices = cfg.indices ?? null;
    const nTargets = this.indices === null ? cfg.target.size : this.indices.length;
    if (typeof cfg.amplitude !== "number" && cfg.amplitude.length !== nTargets) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `current input into ${cfg.target.name}.${cfg.targetVar}: ${nTargets} targets but ${cfg.amplitude.length} amplitudes`,
      );
    }
    if (this.indices !== null) {
      for (const i of this.indices)
        if (i < 0 || i >= cfg.target.size)
          throw new RangeError(`current input index ${i} outside [0, ${cfg.target.size})`);
    }
    this.amplitude = cfg.amplitude;
    const s = cfg.steps ?? { timesMs: [0], levels: [1] };
    if (s.timesMs.length !== s.levels.length || s.timesMs.length === 0) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `stepped current: ${s.timesMs.length} times but ${s.levels.length} levels`,
      );
    }
    this.changeSteps = new Int32Array(s.timesMs.length);
    this.levels = Float64Array.from(s.levels);
    for (let k = 0; k < s.timesMs.length; k++) {
      this.changeSteps[k] = Math.round(s.timesMs[k]! / this.dtMs);
      if (k > 0 && this.changeSteps[k]! < this.changeSteps[k - 1]!)
        throw new UserError("E_CONFIG_INVALID", `stepped current: times must increase`);
    }
  }

  /** The level at `step` (0 before the first change). */
  levelAt(step: number): number {
    let level = 0;
    for (let k = 0; k < this.changeSteps.length && this.changeSteps[k]! <= step; k++) level = this.levels[k]!;
    return level;
  }

  /** Called at the start of every step, before integration. */
  apply(step: number): void {
    const level = this.levelAt(step);
    if (level === this.lastLevel) return;
    this.lastLevel = level;
    const arr = this.arr;
    const idx = this.indices;
    const amp = this.amplitude;
    if (idx === null) {
      if (typeof amp === "number") arr.fill(amp * level);
      else for (let i = 0; i < arr.length; i++) arr[i] = amp[i]! * level;
    } else {
      for (let k = 0; k < idx.length; k++) arr[idx[k]!] = (typeof amp === "number" ? amp : amp[k]!) * level;
    }
  }

  /** Forces the next `apply` to write (after the variable was changed elsewhere). */
  invalidate(): void {
    this.lastLevel = Number.NaN;
  }
}
