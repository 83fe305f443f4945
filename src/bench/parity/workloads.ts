/**
 * The parity workloads: each of our learners on a fixed recipe, beside the
 * PyTorch network that recipe comes from (bench/parity/models.py). Our side
 * leaves everything the recipe does not name at the learner's defaults (the
 * initialiser above all), so the harness checks what users get.
 *
 *   mlp        784-128-10 ReLU, softmax cross-entropy, SGD 0.1, batch 32
 *   cnn        conv 5×5×8 - maxpool 2 - conv 5×5×16 - maxpool 2 - dense 10, Adam 0.002, batch 32
 *   lstm       LSTM(64) over the 28 rows, dense 10, Adam 0.002, batch 32, no clipping
 *   gru        GRU(64), the same settings as the LSTM
 *   rnn        tanh (Elman) RNN(64), the same settings as the LSTM
 *   surrogate  784-512-10 LIF (snnTorch `Leaky`, β 0.95, threshold 1, reset by
 *              subtraction), 25 steps, direct input, fast sigmoid slope 25,
 *              spike-count cross-entropy (snnTorch's ce_count_loss), Adam 5e-4,
 *              batch 32, no dropout
 *
 * The recurrent nets share the LSTM's recipe (hidden 64, Adam 0.002, batch
 * 32) so that the cell is the only thing that changes between them.
 */
import { type LearnerConfig, learnerConfigSchema } from "../../learners/registry.js";
import { mnistShape } from "../../tasks/mnist.js";
import { mnistRowsShape } from "../../tasks/row-digits.js";
import type { TaskShape } from "../../tasks/task.js";

export const parityWorkloadNames = ["mlp", "cnn", "rnn", "lstm", "gru", "surrogate"] as const;
export type ParityWorkloadName = (typeof parityWorkloadNames)[number];

export interface ParityWorkload {
  name: ParityWorkloadName;
  /** One line for the table. */
  title: string;
  task: "mnist" | "mnist-rows";
  /** Our learner, normalised by its schema (defaults filled in); its name keys its epoch order. */
  learner: LearnerConfig;
  /** What bench/parity/reference.py builds: its model kind plus our config's settings. */
  reference: Record<string, unknown>;
}

const adam = (learningRate: number) => ({ type: "adam" as const, learningRate });

const RECIPES: Record<ParityWorkloadName, { title: string; task: "mnist" | "mnist-rows"; config: unknown }> = {
  mlp: {
    title: "MLP 784-128-10 ReLU, SGD 0.1",
    task: "mnist",
    config: {
      type: "mlp",
      name: "mlp",
      hidden: [128],
      activation: "relu",
      optimizer: { type: "sgd", learningRate: 0.1 },
      batchSize: 32,
    },
  },
  cnn: {
    title: "CNN 8c5-p2-16c5-p2-fc10, Adam 0.002",
    task: "mnist",
    config: {
      type: "cnn",
      name: "cnn",
      layers: [
        { type: "conv", filters: 8, kernel: 5, activation: "relu" },
        { type: "maxpool", size: 2 },
        { type: "conv", filters: 16, kernel: 5, activation: "relu" },
        { type: "maxpool", size: 2 },
        { type: "dense", units: 10 },
      ],
      optimizer: adam(0.002),
      batchSize: 32,
    },
  },
  rnn: {
    title: "Elman RNN(64) over rows, Adam 0.002",
    task: "mnist-rows",
    config: { type: "rnn", name: "rnn", cell: "rnn", hidden: 64, optimizer: adam(0.002), batchSize: 32 },
  },
  lstm: {
    title: "LSTM(64) over rows, Adam 0.002",
    task: "mnist-rows",
    config: { type: "rnn", name: "lstm", cell: "lstm", hidden: 64, optimizer: adam(0.002), batchSize: 32 },
  },
  gru: {
    title: "GRU(64) over rows, Adam 0.002",
    task: "mnist-rows",
    config: { type: "rnn", name: "gru", cell: "gru", hidden: 64, optimizer: adam(0.002), batchSize: 32 },
  },
  surrogate: {
    title: "surrogate SNN 784-512-10, 25 steps, spike count, Adam 5e-4",
    task: "mnist",
    config: {
      type: "surrogate",
      name: "surrogate",
      hidden: [512],
      steps: 25,
      beta: 0.95,
      threshold: 1,
      reset: "subtract",
      surrogate: "fast-sigmoid",
      slope: 25,
      encoding: "direct",
      loss: "spike-count",
      dropout: 0,
      optimizer: adam(5e-4),
      batchSize: 32,
    },
  },
};

/** What the reference implements of each learner; anything else in our config must be at these values. */
function referenceSpec(c: LearnerConfig): Record<string, unknown> {
  switch (c.type) {
    case "mlp":
      if (c.loss !== "softmax-cross-entropy") throw new Error("parity: the reference MLP uses softmax cross-entropy");
      return {
        model: "mlp",
        hidden: c.hidden,
        activation: c.activation,
        optimizer: c.optimizer,
        batchSize: c.batchSize,
      };
    case "cnn":
      return { model: "cnn", layers: c.layers, optimizer: c.optimizer, batchSize: c.batchSize };
    case "rnn":
      return { model: "rnn", cell: c.cell, hidden: c.hidden, optimizer: c.optimizer, batchSize: c.batchSize };
    case "surrogate":
      if (
        c.encoding !== "direct" ||
        c.loss !== "spike-count" ||
        c.reset !== "subtract" ||
        !c.detachReset ||
        c.recurrent ||
        c.dropout !== 0 ||
        c.averageDecay !== 0 ||
        c.surrogate !== "fast-sigmoid"
      ) {
        throw new Error("parity: the reference surrogate network is snnTorch's Leaky with ce_count_loss");
      }
      return {
        model: "surrogate",
        hidden: c.hidden,
        steps: c.steps,
        beta: c.beta,
        threshold: c.threshold,
        slope: c.slope ?? 25,
        optimizer: c.optimizer,
        batchSize: c.batchSize,
      };
    default:
      throw new Error(`parity: no reference for learner type ${c.type}`);
  }
}

export function parityWorkload(name: ParityWorkloadName): ParityWorkload {
  const r = RECIPES[name];
  const learner = learnerConfigSchema.parse(r.config);
  return { name, title: r.title, task: r.task, learner, reference: referenceSpec(learner) };
}

/** The shape of the task a workload trains on. */
export function workloadShape(w: ParityWorkload): TaskShape {
  return w.task === "mnist" ? mnistShape : mnistRowsShape;
}
