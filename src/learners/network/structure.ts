/**
 * Pruning and growth of a `network` learner's synapses through the CSR
 * criteria of src/plasticity/pruning (the `pruning` block of its config):
 *
 *   magnitude  the live synapses with the smallest |w|
 *   activity   the live synapses with the least pre×post co-activity: an
 *              ActivityCriterion per population, its scores kept by the
 *              learner's gate while it learns ("use it or lose it")
 *   random     live synapses drawn uniformly (the control)
 *
 * over the populations named in `prunable` (default: the plastic ones, or
 * every population when none is plastic), per population, globally, or per
 * postsynaptic neuron. The chosen synapses are marked dead and compacted
 * away at once (pruning runs between batches, never inside a step): they
 * leave the CSR arrays, so they cost neither time nor memory. Growth adds
 * synapses at free positions drawn uniformly (regrowSynapses), each
 * population's share in proportion to its free positions. After either,
 * every rule, criterion and normaliser on the population is told where each
 * synapse came from (`synapsesChanged`), so per-synapse state (eligibility
 * traces, co-activity scores) follows its synapse.
 *
 * Graph measures see the synapses as a chain of layers when the prunable
 * populations form one from the input (`connectivity`), and otherwise as a
 * network of populations (`populations`: every group and every synapse
 * population, recurrent ones included, routes from the input channels to the
 * readout group).
 */
import { UserError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { ActivityCriterion } from "../../plasticity/pruning/activity-criterion.js";
import { compactWithOrigin, pruneSynapseMatrices } from "../../plasticity/pruning/csr-criteria.js";
import { regrowInPlace } from "../../plasticity/pruning/regrowth.js";
import { shareCount } from "../../plasticity/pruning/select.js";
import type { PopulationConnectivity, StructuralPlasticity } from "../../plasticity/pruning/structural.js";
import type { PruneRequest, PruneResult } from "../../plasticity/pruning/types.js";
import type { CsrConnectivity } from "../../snn/synapses/csr.js";
import type { LearnerSynapses, NetworkLearnerParts } from "./parts.js";

/** The populations the pruning block acts on. */
export function prunablePopulations(learner: NetworkLearnerParts): readonly LearnerSynapses[] {
  const names = learner.config.prunable;
  if (names !== undefined) {
    return names.map((n, i) => {
      const s = learner.synapsesNamed(n);
      if (s === undefined)
        throw new UserError(
          "E_CONFIG_INVALID",
          `learner "${learner.name}" (type network).prunable[${i}]: expected a synapse population's name (${learner.synapses.map((x) => x.name).join(", ")}), found "${n}"`,
        );
      return s;
    });
  }
  const plastic = learner.synapses.filter((s) => s.rule !== null);
  return plastic.length > 0 ? plastic : learner.synapses;
}

/** Possible positions of a population: every pair, less the self pairs of a recurrent one that may have none. */
function possible(s: LearnerSynapses): number {
  const m = s.synapses.matrix;
  return m.nPre * m.nPost - (s.selfPairs ? 0 : m.nPre);
}

export function networkStructure(learner: NetworkLearnerParts, pruneRng: Rng): StructuralPlasticity {
  const pops = prunablePopulations(learner);
  const matrices = () => pops.map((p) => p.synapses.matrix);
  let meanWeight = 0;
  let n = 0;
  for (const p of pops) {
    const w = p.synapses.matrix.weight;
    for (let s = 0; s < p.synapses.matrix.count; s++) meanWeight += Math.abs(w[s]!);
    n += p.synapses.matrix.count;
  }
  meanWeight = n > 0 ? meanWeight / n : 0;

  /** Tells everything that keeps per-synapse state or a column index that population k changed. */
  const changed = (p: LearnerSynapses, origin: Int32Array | null): void => {
    if (origin === null) return;
    p.rule?.synapsesChanged(origin);
    p.normalizer?.rebuild();
    const c = learner.gate.criteria.find((x) => x.matrix === p.synapses.matrix);
    c?.synapsesChanged(origin);
  };

  return {
    criteria: ["magnitude", "activity", "random"],
    scopes: ["per-layer", "global", "per-neuron"],
    // A grown synapse starts at a tenth of the populations' mean initial |w| (the stdp learner: 0.1·initWeightMax).
    defaultGrowthWeight: 0.1 * meanWeight,
    counts() {
      let remaining = 0;
      let all = 0;
      for (const p of pops) {
        remaining += p.synapses.matrix.count;
        all += possible(p);
      }
      return { remaining, possible: all };
    },
    prune(request: PruneRequest): PruneResult {
      const activity =
        request.criterion === "activity"
          ? pops.map((p) => {
              const c = learner.gate.criteria.find((x) => x.matrix === p.synapses.matrix);
              if (c === undefined)
                throw new Error("activity pruning of a network learner needs its co-activity scores (trackActivity)");
              return c;
            })
          : undefined;
      const r = pruneSynapseMatrices(matrices(), request, {
        rng: pruneRng,
        ...(activity !== undefined ? { activity, step: learner.network.step } : {}),
      });
      for (const p of pops) changed(p, compactWithOrigin(p.synapses.matrix));
      return r;
    },
    grow(count: number, weight: number, rng: Rng): number {
      const free = pops.map((p) => Math.max(0, possible(p) - p.synapses.matrix.count));
      const shares = shareCount(count, free);
      let added = 0;
      pops.forEach((p, k) => {
        if (shares[k]! === 0) return;
        const before = p.synapses.matrix.count;
        const origin = regrowInPlace(p.synapses.matrix, shares[k]!, {
          weight,
          allowSelf: p.selfPairs,
          rng: rng.fork(`population:${k}`),
        });
        added += p.synapses.matrix.count - before;
        changed(p, origin);
      });
      return added;
    },
    trackActivity(tauMs: number): void {
      for (const p of pops) {
        if (learner.gate.criteria.some((c) => c.matrix === p.synapses.matrix)) continue;
        const c = ActivityCriterion.watching(p.synapses, { tauMs, dtMs: learner.config.dtMs });
        learner.gate.criteria.push(c);
      }
    },
    connectivity(): CsrConnectivity[] | null {
      // Graph measures need a chain of layers from the input: each population fed by the previous one's target.
      let from = learner.input.group;
      const layers: CsrConnectivity[] = [];
      for (const p of pops) {
        if (p.synapses.source !== from || p.synapses.source === p.synapses.target) return null;
        const m = p.synapses.matrix;
        layers.push({ nPre: m.nPre, nPost: m.nPost, rowPtr: m.rowPtr.slice(), target: m.target.slice() });
        from = p.synapses.target;
      }
      return layers.length > 0 ? layers : null;
    },
    populations(): PopulationConnectivity | null {
      // Every group and every synapse population (fixed ones included: routes run through them too);
      // routes from the input stage's channels (or the group a current input drives) to the readout group.
      const groups = [...(learner.input.group !== null ? [learner.input.group] : []), ...learner.hidden];
      const index = (name: string) => groups.findIndex((g) => g.name === name);
      const inputs =
        learner.input.group !== null
          ? 0
          : learner.config.input.coding === "current"
            ? index(learner.config.input.target)
            : -1;
      const outputs = index(learner.config.readout.group);
      if (inputs < 0 || outputs < 0) return null;
      const at = new Map<object, number>(groups.map((g, k) => [g, k]));
      const projections = learner.synapses.flatMap((p) => {
        const source = at.get(p.synapses.source);
        const target = at.get(p.synapses.target);
        return source === undefined || target === undefined ? [] : [{ source, target, matrix: p.synapses.matrix }];
      });
      return {
        sizes: groups.map((g) => g.size),
        projections,
        inputs,
        outputs,
        possible: learner.synapses.reduce((a, p) => a + possible(p), 0),
      };
    },
    rewindable() {
      return null;
    },
  };
}
