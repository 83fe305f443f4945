/**
 * Every learner type a scenario can name: its config schema (validated at the
 * boundary) and its constructor. Add a learner by adding one schema to the
 * union and one case to `createLearner`.
 */
import { z } from "zod";
import type { Rng } from "../core/rng.js";
import type { TaskShape } from "../tasks/task.js";
import { CnnLearner, cnnConfigSchema } from "./cnn.js";
import { DiehlCookLearner, diehlCookConfigSchema } from "./diehl-cook.js";
import type { Learner } from "./learner.js";
import { LsmLearner, lsmConfigSchema } from "./lsm.js";
import { MlpLearner, mlpConfigSchema } from "./mlp.js";
import { NetworkLearner } from "./network/learner.js";
import { networkLearnerConfigSchema } from "./network/schema.js";
import { NirLearner, nirConfigSchema } from "./nir.js";
import { RnnLearner, rnnConfigSchema } from "./rnn.js";
import { SurrogateLearner, surrogateConfigSchema } from "./surrogate.js";

export const learnerConfigSchema = z.discriminatedUnion("type", [
  mlpConfigSchema,
  cnnConfigSchema,
  rnnConfigSchema,
  lsmConfigSchema,
  diehlCookConfigSchema,
  surrogateConfigSchema,
  nirConfigSchema,
  networkLearnerConfigSchema,
]);
/**
 * A learner config after validation, every default filled in (see {@link LearnerConfigInput} for what may be left out).
 */
export type LearnerConfig = z.infer<typeof learnerConfigSchema>;

/** One-line descriptions for `neurocompare list --learners` and the README. */
export const learnerDescriptions: Record<LearnerConfig["type"], string> = {
  mlp: "multilayer perceptron: dense layers, backpropagation, mini-batch SGD/Adam",
  cnn: "convolutional network: conv, max/avg pooling and dense layers over image tasks, backpropagation, mini-batch SGD/Adam",
  rnn: "recurrent network (LSTM, GRU or simple RNN) over a sequence task, dense softmax read-out, backpropagation through time",
  lsm: "spiking liquid-state learner: Poisson input, LIF pool with recurrent synapses, trained linear readout on spike counts",
  stdp: "Diehl & Cook 2015 unsupervised STDP: Poisson input, conductance LIF neurons with adaptive thresholds, lateral inhibition, labels assigned from responses",
  surrogate:
    "spiking network of leaky integrate-and-fire layers over T steps, trained by backpropagation through time with a surrogate spike derivative (snnTorch/norse style), Adam",
  network:
    "a spiking network written as data (groups of any neuron model or equations, synapses with plasticity, homeostasis, lateral inhibition) with an input stage and a readout, run on the general engine",
  nir: "a spiking network read from a .nir file (NIR: snnTorch, Norse, Sinabs, ... or an exported surrogate learner), evaluated without learning",
};

export function createLearner(config: LearnerConfig, shape: TaskShape, rng: Rng): Learner {
  switch (config.type) {
    case "mlp":
      return new MlpLearner(config, shape, rng);
    case "cnn":
      return new CnnLearner(config, shape, rng);
    case "rnn":
      return new RnnLearner(config, shape, rng);
    case "lsm":
      return new LsmLearner(config, shape, rng);
    case "stdp":
      return new DiehlCookLearner(config, shape, rng);
    case "surrogate":
      return new SurrogateLearner(config, shape, rng);
    case "nir":
      return new NirLearner(config, shape, rng);
    case "network":
      return new NetworkLearner(config, shape, rng);
  }
}
