/**
 * Parameter sweeps: a scenario's `sweep` entries name a learner, a dotted
 * path into its config and a list of values; every learner runs once per
 * combination of its own swept values (the Cartesian product), each with
 * every seed. A grid point is an ordinary learner with a label that carries
 * its settings ("mlp hidden=64 optimizer.learningRate=0.01") and a `params`
 * record that becomes one column per swept parameter in metrics.csv.
 */
import { learnerConfigSchema, type LearnerConfig } from "../learners/registry.js";
import type { LearnerInfo } from "./results.js";

export interface SweepEntry {
  learner: string;
  parameter: string;
  values: (number | string | boolean | number[])[];
}

export interface ExpandedLearner {
  config: LearnerConfig;
  info: LearnerInfo;
}

/** A problem with one sweep value, located for the validator. */
export interface SweepProblem {
  path: (string | number)[];
  message: string;
}

type ParamValue = string | number | boolean;

function labelValue(v: SweepEntry["values"][number]): string {
  return Array.isArray(v) ? v.join("x") : String(v);
}

function paramValue(v: SweepEntry["values"][number]): ParamValue {
  return Array.isArray(v) ? v.join("x") : v;
}

/** A deep copy of `config` with `path` (dotted) set to `value`, creating objects on the way. */
function withSetting(config: LearnerConfig, path: string, value: unknown): unknown {
  const copy = structuredClone(config) as Record<string, unknown>;
  const keys = path.split(".");
  let node = copy;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === undefined) node[k] = {};
    else if (typeof next !== "object" || next === null || Array.isArray(next)) return undefined;
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return copy;
}

export function learnerName(l: { name?: string | undefined; type: string }): string {
  return l.name ?? l.type;
}

/**
 * Expands the learners by the sweep. Problems (an unknown learner, a value
 * the learner's schema rejects) are returned, located at sweep[i].values[j],
 * rather than thrown, so the validator can report them all.
 */
export function expandSweep(learners: readonly LearnerConfig[], sweep: readonly SweepEntry[]): { learners: ExpandedLearner[]; problems: SweepProblem[] } {
  const problems: SweepProblem[] = [];
  const names = learners.map(learnerName);
  sweep.forEach((e, i) => {
    if (!names.includes(e.learner)) {
      problems.push({ path: ["sweep", i, "learner"], message: `the name of a learner in this scenario (${names.map((n) => `"${n}"`).join(", ")})|"${e.learner}"` });
    }
  });
  const out: ExpandedLearner[] = [];
  learners.forEach((config, li) => {
    const base = names[li]!;
    const entries = sweep.map((e, i) => ({ e, i })).filter(({ e }) => e.learner === base);
    if (entries.length === 0) {
      out.push({ config, info: { name: base, type: config.type, base, params: {} } });
      return;
    }
    // Cartesian product in declaration order, last entry varying fastest.
    let points: { config: LearnerConfig; params: Record<string, ParamValue>; label: string[] }[] = [{ config, params: {}, label: [] }];
    for (const { e, i } of entries) {
      const next: typeof points = [];
      for (const p of points) {
        e.values.forEach((v, j) => {
          const raw = withSetting(p.config, e.parameter, v);
          const parsed = raw === undefined ? null : learnerConfigSchema.safeParse(raw);
          if (parsed === null || !parsed.success) {
            const why = parsed === null ? `"${e.parameter}" does not lead into an object of the config` : parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ");
            if (p === points[0]) problems.push({ path: ["sweep", i, "values", j], message: `a value learner "${base}" accepts at "${e.parameter}"|${JSON.stringify(v)} (${why})` });
            return;
          }
          next.push({ config: parsed.data, params: { ...p.params, [e.parameter]: paramValue(v) }, label: [...p.label, `${e.parameter}=${labelValue(v)}`] });
        });
      }
      points = next;
    }
    for (const p of points) {
      const name = `${base} ${p.label.join(" ")}`;
      out.push({ config: { ...p.config, name } as LearnerConfig, info: { name, type: config.type, base, params: p.params } });
    }
  });
  return { learners: out, problems };
}
