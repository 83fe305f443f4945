/**
 * The input stage of the `network` learner: turns one sample into activity
 * of the network for a presentation, and turns it off for the rest.
 *
 *   rate        a RateInputGroup (snn/inputs/rate-input.ts): channel i fires
 *               at u_i · maxRateHz, u the feature scaled to [0, 1]; only
 *               non-zero channels draw;
 *   population  a PoissonGroup driven by Gaussian tuning curves
 *               (PopulationCode, as the liquid-state learner encodes);
 *   latency     a SpikeGeneratorGroup loaded with the sample's latency code
 *               (one spike per feature, stronger earlier) at each presentation;
 *   current     no spike source: u_i · scale is written into a variable of
 *               a group of the network (one neuron per feature) during the
 *               presentation, and 0 at rest.
 *
 * A repeated presentation (Diehl & Cook's boost) raises the rate by
 * `extraHz` (rate and population codings only).
 */
import { UserError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { type NeuronGroup, type StateArray, stateVariable } from "../../snn/group.js";
import { latencyCode, PopulationCode } from "../../snn/inputs/encoders.js";
import { PoissonGroup } from "../../snn/inputs/poisson.js";
import { RateInputGroup } from "../../snn/inputs/rate-input.js";
import { SpikeGeneratorGroup } from "../../snn/inputs/spike-generator.js";
import type { TaskShape } from "../../tasks/task.js";
import type { InputStageConfig } from "./schema.js";

/** What the learner asks of its input stage. */
export interface InputStage {
  readonly coding: InputStageConfig["coding"];
  /** The spike source the stage adds to the network (null for injected current). */
  readonly group: NeuronGroup | null;
  /** Whether a repetition can raise the input (rate and population codings). */
  readonly canBoost: boolean;
  /** Starts showing sample x[offset ..] at network step `step`, with `extraHz` added to the peak rate. */
  show(x: Float32Array, offset: number, step: number, extraHz: number): void;
  /** Input off (rest). */
  silence(step: number): void;
  /** Bytes of the state the stage keeps for inference (footprint). */
  bytes(): number;
}

/** Scales features from the task's range to [0, 1] (unclipped), or passes them on when the range is [0, 1] already. */
class FeatureScaler {
  readonly identity: boolean;
  private readonly min: number;
  private readonly span: number;
  private readonly buffer: Float32Array;

  constructor(shape: TaskShape) {
    this.identity = shape.featureRange.min === 0 && shape.featureRange.max === 1;
    this.min = shape.featureRange.min;
    this.span = Math.max(1e-9, shape.featureRange.max - shape.featureRange.min);
    this.buffer = new Float32Array(this.identity ? 0 : shape.inputSize);
  }

  /** The sample in [0, 1] units: either x itself (at `offset`) or a scaled copy (at 0). */
  scaled(x: Float32Array, offset: number): { values: Float32Array; offset: number } {
    if (this.identity) return { values: x, offset };
    const b = this.buffer;
    for (let i = 0; i < b.length; i++) b[i] = (x[offset + i]! - this.min) / this.span;
    return { values: b, offset: 0 };
  }
}

class RateStage implements InputStage {
  readonly coding = "rate";
  readonly canBoost = true;
  readonly group: RateInputGroup;
  private readonly scaler: FeatureScaler;
  private readonly maxRateHz: number;

  constructor(name: string, shape: TaskShape, maxRateHz: number, dtMs: number, rng: Rng) {
    this.group = new RateInputGroup(name, shape.inputSize, dtMs, rng);
    this.scaler = new FeatureScaler(shape);
    this.maxRateHz = maxRateHz;
  }

  show(x: Float32Array, offset: number, _step: number, extraHz: number): void {
    const s = this.scaler.scaled(x, offset);
    this.group.show(s.values, s.offset, this.maxRateHz + extraHz);
  }

  silence(): void {
    this.group.silence();
  }

  bytes(): number {
    return this.group.noise.byteLength + 8 * this.group.size;
  }
}

class PopulationStage implements InputStage {
  readonly coding = "population";
  readonly canBoost = true;
  readonly group: PoissonGroup;
  private readonly code: PopulationCode;
  private readonly rates: Float32Array;

  constructor(name: string, shape: TaskShape, perFeature: number, maxRateHz: number, dtMs: number, rng: Rng) {
    this.code = new PopulationCode(shape.inputSize, perFeature, maxRateHz, shape.featureRange);
    this.group = new PoissonGroup(name, this.code.channels, 0, dtMs, rng);
    this.rates = new Float32Array(this.code.channels);
  }

  show(x: Float32Array, offset: number, _step: number, extraHz: number): void {
    this.code.encode(x, offset, this.rates, extraHz);
    this.group.setRates(this.rates);
  }

  silence(): void {
    this.group.rateHz.fill(0);
  }

  bytes(): number {
    return this.group.rateHz.byteLength + 16;
  }
}

class LatencyStage implements InputStage {
  readonly coding = "latency";
  readonly canBoost = false;
  readonly group: SpikeGeneratorGroup;
  private readonly scaler: FeatureScaler;
  private readonly options: { tMaxMs: number; form: "linear" | "log"; threshold?: number; tauMs?: number };
  private readonly sample: Float32Array;

  constructor(
    name: string,
    shape: TaskShape,
    c: Extract<InputStageConfig, { coding: "latency" }>,
    presentationMs: number,
    dtMs: number,
  ) {
    this.group = new SpikeGeneratorGroup(name, shape.inputSize, [], [], dtMs);
    this.scaler = new FeatureScaler(shape);
    const tMaxMs = c.tMaxMs ?? presentationMs;
    this.options = {
      tMaxMs,
      form: c.form,
      ...(c.threshold !== undefined ? { threshold: c.threshold } : {}),
      ...(c.tauMs !== undefined ? { tauMs: c.tauMs } : {}),
    };
    this.sample = new Float32Array(shape.inputSize);
  }

  show(x: Float32Array, offset: number, step: number): void {
    const s = this.scaler.scaled(x, offset);
    this.sample.set(s.values.subarray(s.offset, s.offset + this.sample.length));
    const code = latencyCode(this.sample, this.options);
    // Latency times are continuous; the step grid rounds them (two features may not share a step and
    // a neuron, and they never do: one spike per feature).
    this.group.set(code.indices, code.timesMs, step);
  }

  silence(step: number): void {
    this.group.set([], [], step);
  }

  bytes(): number {
    return 8 * this.group.size;
  }
}

class CurrentStage implements InputStage {
  readonly coding = "current";
  readonly canBoost = false;
  readonly group = null;
  private readonly target: StateArray;
  private readonly scaler: FeatureScaler;
  private readonly scale: number;

  constructor(target: StateArray, shape: TaskShape, scale: number) {
    this.target = target;
    this.scaler = new FeatureScaler(shape);
    this.scale = scale;
  }

  show(x: Float32Array, offset: number): void {
    const s = this.scaler.scaled(x, offset);
    const t = this.target;
    for (let i = 0; i < t.length; i++) t[i] = this.scale * s.values[s.offset + i]!;
  }

  silence(): void {
    this.target.fill(0);
  }

  bytes(): number {
    return 0;
  }
}

/**
 * Builds the input stage; `groups` are the network's groups by name (the
 * current coding's target must be one, with one neuron per feature).
 */
export function createInputStage(
  c: InputStageConfig,
  shape: TaskShape,
  dtMs: number,
  presentationMs: number,
  groups: ReadonlyMap<string, NeuronGroup>,
  rng: Rng,
  where: string,
): InputStage {
  switch (c.coding) {
    case "rate":
      return new RateStage(c.group, shape, c.maxRateHz, dtMs, rng);
    case "population":
      return new PopulationStage(c.group, shape, c.neuronsPerFeature, c.maxRateHz, dtMs, rng);
    case "latency":
      return new LatencyStage(c.group, shape, c, presentationMs, dtMs);
    case "current": {
      const g = groups.get(c.target);
      if (g === undefined)
        throw new UserError(
          "E_CONFIG_INVALID",
          `${where}.input.target: expected a group of the network (${[...groups.keys()].join(", ")}), found "${c.target}"`,
        );
      if (g.size !== shape.inputSize)
        throw new UserError(
          "E_CONFIG_INVALID",
          `${where}.input.target: expected a group of ${shape.inputSize} neurons (one per feature), found "${c.target}" with ${g.size}`,
        );
      const arr = stateVariable(g, c.variable);
      if (arr === undefined)
        throw new UserError(
          "E_CONFIG_INVALID",
          `${where}.input.variable: expected a variable of group ${g.name} (${Object.keys(g.state).join(", ")}), found "${c.variable}"`,
        );
      return new CurrentStage(arr, shape, c.scale);
    }
  }
}
