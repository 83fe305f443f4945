/**
 * The routing task of Navlakha, Barth & Bar-Joseph 2015 (PLoS Comput Biol
 * 11:e1004347): given n nodes and an online stream of source-target pairs
 * drawn from a distribution D that the network does not know in advance,
 * build a network that routes D's pairs along short paths (efficiency) and
 * keeps routing them when parts of it fail (robustness). Training pairs and
 * test pairs are independent draws from the same D.
 *
 *   2-patch   (the paper's Fig 3A) sources are the first round(s·n) nodes,
 *             targets the last round(t·n); a pair is one source and one
 *             target, each uniform, drawn independently. With s = t = 0.5
 *             every node is a source or a target, as in the paper's analysis
 *             (edges S→S, T→T, S→T and T→S only); with s + t < 1 the nodes in
 *             between are relays that no message starts or ends at.
 *
 * Unlike the classification tasks, a routing task has no samples to learn a
 * label from: it is a node count and a distribution to draw pairs from.
 */
import { z } from "zod";
import type { Rng } from "../core/rng.js";

export const twoPatchSchema = z
  .strictObject({
    type: z.literal("2-patch"),
    sourceFraction: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe("fraction of the nodes that are sources (the first ones)"),
    targetFraction: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe("fraction of the nodes that are targets (the last ones)"),
  })
  .refine((d) => d.sourceFraction + d.targetFraction <= 1 + 1e-12, {
    message: "sourceFraction + targetFraction at most 1 (the patches do not overlap)|more than 1",
    path: ["targetFraction"],
  });

export const routingTaskSchema = z
  .strictObject({
    nodes: z.int().min(4).max(20_000).default(1000).describe("nodes of the network (n)"),
    distribution: twoPatchSchema
      .default({ type: "2-patch", sourceFraction: 0.5, targetFraction: 0.5 })
      .describe("the source-target distribution D"),
  })
  .describe("n nodes and the distribution D of source-target pairs (Navlakha et al. 2015)");
export type RoutingTaskConfig = z.infer<typeof routingTaskSchema>;

/** Source-target pairs: pair k is source[k] → target[k]. */
export interface PairList {
  readonly source: Int32Array;
  readonly target: Int32Array;
  readonly count: number;
}

/** A routing task: its nodes, the patches D draws from, and the draw itself. */
export interface RoutingTask {
  readonly nodes: number;
  /** Nodes pairs start at (ascending). */
  readonly sources: Int32Array;
  /** Nodes pairs end at (ascending). */
  readonly targets: Int32Array;
  /** `count` pairs drawn independently from D. */
  drawPairs(count: number, rng: Rng): PairList;
}

function range(lo: number, hi: number): Int32Array {
  const a = new Int32Array(hi - lo);
  for (let i = 0; i < a.length; i++) a[i] = lo + i;
  return a;
}

/** The routing task a config describes (nothing random: the draws take the generator). */
export function routingTask(config: RoutingTaskConfig): RoutingTask {
  const n = config.nodes;
  const d = config.distribution;
  const nSources = Math.max(1, Math.round(d.sourceFraction * n));
  const nTargets = Math.min(n - nSources, Math.max(1, Math.round(d.targetFraction * n)));
  if (nTargets < 1)
    throw new RangeError(`a 2-patch task on ${n} nodes with ${nSources} sources leaves no node for the targets`);
  const sources = range(0, nSources);
  const targets = range(n - nTargets, n);
  return {
    nodes: n,
    sources,
    targets,
    drawPairs(count, rng) {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`pair count must be a non-negative integer, got ${count}`);
      const source = new Int32Array(count);
      const target = new Int32Array(count);
      for (let k = 0; k < count; k++) {
        source[k] = sources[rng.int(sources.length)]!;
        target[k] = targets[rng.int(targets.length)]!;
      }
      return { source, target, count };
    },
  };
}
