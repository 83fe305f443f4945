/**
 * Parameter sweeps: a scenario's `sweep` entries name a learner, a dotted
 * path into its config and a list of values; every learner runs once per
 * combination of its own swept values (the Cartesian product), each with
 * every seed. A grid point is an ordinary learner with a label that carries
 * its settings ("mlp hidden=64 optimizer.learningRate=0.01") and a `params`
 * record that becomes one column per swept parameter in metrics.csv.
 */
import { learnerConfigSchema, type LearnerConfig } from "../learners/registry.js";

/** A learner as results name it: one per scenario learner, or one per sweep point. */
export interface LearnerInfo {
  /** The label in every file and chart; for a sweep point, the base name with its settings ("mlp hidden=64"). */
  name: string;
  type: string;
  /** The learner's name in the scenario before sweep expansion. */
  base: string;
  /** Swept settings of this point (dotted config paths → values); empty when the learner is not swept. */
  params: Record<string, string | number | boolean>;
}

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

function paramValue(v: SweepEntry["values"][number]): ParamValue {
  return Array.isArray(v) ? v.join("x") : v;
}

/** Path segments that would reach JavaScript's object machinery instead of a config key. */
const FORBIDDEN_KEYS = new Set(["__proto__", "prototype", "constructor"]);

/** A deep copy of `config` with `path` (dotted) set to `value`, creating objects on the way; undefined when the path cannot lead there. */
function withSetting(config: LearnerConfig, path: string, value: unknown): unknown {
  const copy = structuredClone(config) as Record<string, unknown>;
  const keys = path.split(".");
  if (keys.some((k) => FORBIDDEN_KEYS.has(k))) return undefined;
  let node = copy;
  for (const k of keys.slice(0, -1)) {
    if (!Object.hasOwn(node, k)) node[k] = {};
    const next = node[k];
    if (typeof next !== "object" || next === null || Array.isArray(next)) return undefined;
    node = next as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return copy;
}

/** A nested validator message without the "expected|found" separator the CLI splits on. */
function flat(message: string): string {
  return message.replace(/\|/g, ", found ");
}

export function learnerName(l: { name?: string | undefined; type: string }): string {
  return l.name ?? l.type;
}

/**
 * Expands the learners by the sweep. Problems (an unknown learner, a value
 * the learner's schema rejects) are returned, located at sweep[i].values[j],
 * rather than thrown, so the validator can report them all.
 */
export function expandSweep(
  learners: readonly LearnerConfig[],
  sweep: readonly SweepEntry[],
): { learners: ExpandedLearner[]; problems: SweepProblem[] } {
  const problems: SweepProblem[] = [];
  const names = learners.map(learnerName);
  const known = new Set(names);
  // Entries by learner, looked up once per learner: linear in learners plus entries, however many of each.
  const entriesOf = new Map<string, { e: SweepEntry; i: number }[]>();
  sweep.forEach((e, i) => {
    const list = entriesOf.get(e.learner);
    if (list === undefined) entriesOf.set(e.learner, [{ e, i }]);
    else list.push({ e, i });
    if (!known.has(e.learner)) {
      problems.push({
        path: ["sweep", i, "learner"],
        message: `the name of a learner in this scenario (${names.map((n) => `"${n}"`).join(", ")})|"${e.learner}"`,
      });
    }
  });
  const out: ExpandedLearner[] = [];
  learners.forEach((config, li) => {
    const base = names[li]!;
    const entries = entriesOf.get(base) ?? [];
    if (entries.length === 0) {
      out.push({ config, info: { name: base, type: config.type, base, params: {} } });
      return;
    }
    // Cartesian product in declaration order, last entry varying fastest.
    let points: { config: LearnerConfig; params: Record<string, ParamValue>; label: string[] }[] = [
      { config, params: {}, label: [] },
    ];
    const reported = new Set<string>();
    for (const { e, i } of entries) {
      const next: typeof points = [];
      for (const p of points) {
        e.values.forEach((v, j) => {
          const raw = withSetting(p.config, e.parameter, v);
          const parsed = raw === undefined ? null : learnerConfigSchema.safeParse(raw);
          if (parsed === null || !parsed.success) {
            const why =
              parsed === null
                ? `"${e.parameter}" does not lead into an object of the config`
                : parsed.error.issues.map((x) => `${x.path.join(".")}: ${flat(x.message)}`).join("; ");
            // Each failing value once, even when it fails at several grid points (with other swept settings).
            const key = `${i}:${j}`;
            if (!reported.has(key)) {
              reported.add(key);
              const with_ =
                Object.keys(p.params).length > 0
                  ? ` with ${Object.entries(p.params)
                      .map(([k, x]) => `${k}=${x}`)
                      .join(" ")}`
                  : "";
              problems.push({
                path: ["sweep", i, "values", j],
                message: `a value learner "${base}" accepts at "${e.parameter}"${with_}|${JSON.stringify(v)} (${why})`,
              });
            }
            return;
          }
          next.push({
            config: parsed.data,
            params: { ...p.params, [e.parameter]: paramValue(v) },
            label: [...p.label, `${e.parameter}=${String(paramValue(v))}`],
          });
        });
      }
      points = next;
    }
    for (const p of points) {
      const name = `${base} ${p.label.join(" ")}`;
      out.push({
        config: { ...p.config, name } as LearnerConfig,
        info: { name, type: config.type, base, params: p.params },
      });
    }
  });
  // Two points with one label would share a random stream and merge their rows. Learners that
  // share a name without a sweep are the scenario's duplicate names, reported where they are.
  const seen = new Set<string>();
  for (const l of out) {
    if (seen.has(l.info.name)) {
      const i = entriesOf.get(l.info.base)?.[0]?.i;
      if (i === undefined) continue;
      problems.push({
        path: ["sweep", i, "values"],
        message: `values that give each grid point its own label|two points labelled "${l.info.name}" (a repeated value, or a label equal to another learner's name)`,
      });
      break;
    }
    seen.add(l.info.name);
  }
  return { learners: out, problems };
}
