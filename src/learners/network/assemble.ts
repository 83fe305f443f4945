/**
 * Builds what a `network` learner steps, from its config: the description's
 * groups and synapses (./build.ts), the input stage, lateral inhibition (an
 * inhibitory population driven one-to-one and inhibiting all but its
 * partner, or direct all-but-self synapses: plasticity/lateral-inhibition.ts),
 * synaptic normalisers and adaptive thresholds. Names are checked here (a
 * group, variable or synapse name that does not exist is a UserError naming
 * the learner and the config path); the learner adds the readout, the
 * monitors and the Network.
 */
import { type Issue, UserError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { AdaptiveThreshold } from "../../plasticity/homeostasis.js";
import { allButSelfMatrix, winnerTakeAll } from "../../plasticity/lateral-inhibition.js";
import { CsrColumnNormalizer } from "../../plasticity/normalization.js";
import { type NeuronGroup, stateVariable } from "../../snn/group.js";
import { Synapses } from "../../snn/synapses/synapses.js";
import type { TaskShape } from "../../tasks/task.js";
import { buildGroups, buildSynapses, createGroup, fillInitial, type GroupTable } from "./build.js";
import { createInputStage, type InputStage } from "./input-stage.js";
import type { LearnerSynapses } from "./parts.js";
import type { NetworkLearnerConfig } from "./schema.js";

/** The parts of a `network` learner's network, built and checked. */
export interface AssembledNetwork {
  input: InputStage;
  /** Every group by name, the input stage's source included. */
  groups: ReadonlyMap<string, NeuronGroup>;
  /** The description's groups, then the inhibitory populations. */
  hidden: NeuronGroup[];
  /** The description's synapse populations, then the lateral ones. */
  synapses: LearnerSynapses[];
  thresholds: { threshold: AdaptiveThreshold; fixAtTest: boolean }[];
}

/** Builds and checks the network of a config (see the file comment); `where` names the learner in messages. */
export function assembleNetwork(
  config: NetworkLearnerConfig,
  shape: TaskShape,
  rng: Rng,
  where: string,
): AssembledNetwork {
  const dt = config.dtMs;
  const p = config.presentation;
  const issues: Issue[] = [];
  const table: GroupTable = { byName: new Map(), failed: new Set() };
  const ctx = { dtMs: dt, precision: config.precision, root: rng.fork("network"), issues, path: "$" };
  const described = buildGroups(config.groups, ctx, table);
  if (issues.length > 0) throw configError(where, issues);
  const input = createInputStage(config.input, shape, dt, p.presentationMs, table.byName, rng.fork("poisson"), where);
  const inputGroup = input.group;
  if (inputGroup !== null) {
    if (table.byName.has(inputGroup.name))
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.input.group: the input channels need a name of their own, found "${inputGroup.name}", also a group of the network`,
      );
    table.byName.set(inputGroup.name, inputGroup);
  }
  if (p.retry !== undefined && !input.canBoost)
    throw new UserError(
      "E_CONFIG_INVALID",
      `${where}.presentation.retry: repetitions with a stronger input need rate or population coding, found "${config.input.coding}"`,
    );

  // Lateral inhibition: an inhibitory population per entry, or direct all-but-self synapses.
  const inhibitory: NeuronGroup[] = [];
  const lateral: Synapses[] = [];
  config.lateralInhibition.forEach((li, i) => {
    const at = `${where}.lateralInhibition[${i}]`;
    const exc = table.byName.get(li.group);
    if (exc === undefined || exc === inputGroup)
      throw new UserError(
        "E_CONFIG_INVALID",
        `${at}.group: expected a group of the network (${config.groups.map((g) => g.name).join(", ")}), found "${li.group}"`,
      );
    try {
      if (li.via === "population") {
        const name = li.name ?? `${li.group}-inh`;
        if (table.byName.has(name))
          throw new UserError("E_CONFIG_INVALID", `${at}.name: "${name}" is already a group of the network`);
        const groupRng = ctx.root.fork(`group:${name}`);
        const inh = createGroup(name, exc.size, li.model, dt, config.precision, groupRng);
        for (const [variable, value] of Object.entries(li.initial)) {
          const arr = stateVariable(inh, variable);
          if (arr === undefined)
            throw new UserError(
              "E_CONFIG_INVALID",
              `${at}.initial.${variable}: expected a state variable of this model (${Object.keys(inh.state).join(", ")})`,
            );
          fillInitial(arr, value, groupRng.fork(`initial:${variable}`));
        }
        table.byName.set(name, inh);
        inhibitory.push(inh);
        lateral.push(...winnerTakeAll(exc, inh, li));
      } else {
        lateral.push(
          new Synapses(
            {
              name: `${exc.name}->${exc.name}:wta`,
              source: exc,
              target: exc,
              targetVar: li.targetVar,
              connect: { rule: "all-to-all", allowSelf: false },
            },
            allButSelfMatrix(exc.size, li.weight),
          ),
        );
      }
    } catch (e) {
      if (e instanceof UserError && !e.message.startsWith(at)) throw new UserError(e.code, `${at}: ${e.message}`);
      throw e;
    }
  });

  const built = buildSynapses(config.synapses, ctx, table);
  if (issues.length > 0) throw configError(where, issues);
  const synapses: LearnerSynapses[] = [
    ...built.map((b) => {
      const { normalize: norm, connect } = config.synapses[b.index]!;
      return {
        name: b.synapses.name,
        synapses: b.synapses,
        rule: b.rule,
        selfPairs: b.synapses.source !== b.synapses.target || !("allowSelf" in connect) || connect.allowSelf,
        normalizer:
          norm === undefined
            ? null
            : new CsrColumnNormalizer(b.synapses.matrix, {
                targetSum: norm.targetSum,
                ...(norm.wMax !== undefined ? { wMax: norm.wMax } : {}),
              }),
      };
    }),
    ...lateral.map((s) => ({
      name: s.name,
      synapses: s,
      rule: null,
      normalizer: null,
      selfPairs: s.source !== s.target,
    })),
  ];
  const names = new Set<string>();
  for (const s of synapses) {
    if (names.has(s.name))
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.synapses: two synapse populations are named "${s.name}"; give one a "name"`,
      );
    names.add(s.name);
  }

  const thresholds = config.homeostasis.map((h, i) => {
    const at = `${where}.homeostasis[${i}]`;
    const g = table.byName.get(h.group);
    if (g === undefined || g === inputGroup)
      throw new UserError(
        "E_CONFIG_INVALID",
        `${at}.group: expected a group of the network (${config.groups.map((c) => c.name).join(", ")}), found "${h.group}"`,
      );
    const theta = stateVariable(g, h.variable);
    if (theta === undefined)
      throw new UserError(
        "E_CONFIG_INVALID",
        `${at}.variable: expected the threshold offset variable of group ${g.name} (it has ${Object.keys(g.state).join(", ")}), found "${h.variable}"`,
      );
    return {
      threshold: AdaptiveThreshold.watching(g, theta, { thetaPlusMv: h.thetaPlusMv, tauThetaMs: h.tauThetaMs }, dt),
      fixAtTest: h.fixAtTest,
    };
  });

  return { input, groups: table.byName, hidden: [...described, ...inhibitory], synapses, thresholds };
}

function configError(where: string, issues: readonly Issue[]): UserError {
  const lines = issues.map(
    (i) => `${where}: ${i.path.replace(/^\$\.?/, "")}: expected ${i.expected}, found ${i.found}`,
  );
  return new UserError("E_CONFIG_INVALID", lines.join("\n"));
}
