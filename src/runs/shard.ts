/**
 * Shards: the i-th of n disjoint sets of a run's units, for running one
 * scenario as several processes (a SLURM job array, a Kubernetes Indexed
 * Job, or terminals) into one shared results folder.
 *
 * Numbering is 1-based, as in Jest's and Playwright's `--shard 1/3`: shard
 * i of n holds the units at plan positions floor((i-1)·N/n) up to (not
 * including) floor(i·N/n). Contiguous blocks of the plan, not every n-th
 * unit: the plan is seed-major (a seed's learners are neighbours), so a block
 * holds a mix of the learners, where every n-th unit would give one shard all
 * the slow learner's units whenever n divides the number of learners. Shard
 * sizes differ by at most one unit; with more shards than units, some are
 * empty.
 *
 * Without `--shard`, the environment selects the shard:
 *   SLURM job array:    SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1 of SLURM_ARRAY_TASK_COUNT
 *                       (MIN taken as 0 and COUNT as MAX - MIN + 1 where they are not set);
 *   Kubernetes Indexed Job: JOB_COMPLETION_INDEX + 1 of JOB_COMPLETIONS, a variable the
 *                       Job's pod template sets to its `spec.completions` (Kubernetes gives
 *                       the index to the pod, not the count).
 */
import { UserError } from "../core/errors.js";

export interface Shard {
  /** 1-based: 1 to `count`. */
  index: number;
  count: number;
}

/** Most shards a run may be split into (a SLURM array's default MaxArraySize is 1001). */
export const MAX_SHARDS = 100_000;

function integer(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

function checked(index: number, count: number, source: string): Shard {
  if (count < 1 || count > MAX_SHARDS || index < 1 || index > count)
    throw new UserError(
      "E_OPTION_INVALID",
      `${source}: expected shard i of n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, found shard ${index} of ${count}`,
    );
  return { index, count };
}

/** `--shard i/n` (1-based). */
export function parseShard(text: string, option = "--shard"): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null)
    throw new UserError(
      "E_OPTION_INVALID",
      `option ${option}: expected i/n (shard i of n, from 1/n to n/n), found ${JSON.stringify(text)}`,
    );
  return checked(Number(m[1]), Number(m[2]), `option ${option} ${text}`);
}

/** Where a shard came from, for the message a shard prints. */
export interface ShardChoice {
  shard: Shard;
  /** "--shard", or the variables that chose it ("SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_COUNT=4"). */
  source: string;
}

/**
 * The shard the environment selects: a SLURM job array's task, or a
 * Kubernetes Indexed Job's completion index; null when neither is set.
 */
export function shardFromEnvironment(env: Readonly<Record<string, string | undefined>>): ShardChoice | null {
  const taskId = env["SLURM_ARRAY_TASK_ID"];
  if (taskId !== undefined && taskId !== "") {
    const id = integer(taskId);
    const min = env["SLURM_ARRAY_TASK_MIN"] === undefined ? 0 : integer(env["SLURM_ARRAY_TASK_MIN"]);
    const max = integer(env["SLURM_ARRAY_TASK_MAX"]);
    const count =
      env["SLURM_ARRAY_TASK_COUNT"] !== undefined
        ? integer(env["SLURM_ARRAY_TASK_COUNT"])
        : max !== null && min !== null
          ? max - min + 1
          : null;
    const shown = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT"]
      .filter((k) => env[k] !== undefined)
      .map((k) => `${k}=${env[k]}`)
      .join(", ");
    if (id === null || min === null || count === null)
      throw new UserError(
        "E_OPTION_INVALID",
        `SLURM job array: expected integers in SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (or SLURM_ARRAY_TASK_MAX), found ${shown || "none"}; give --shard i/n instead`,
      );
    return { shard: checked(id - min + 1, count, `SLURM job array (${shown})`), source: shown };
  }
  const index = env["JOB_COMPLETION_INDEX"];
  if (index !== undefined && index !== "") {
    const i = integer(index);
    const n = integer(env["JOB_COMPLETIONS"]);
    const shown = `JOB_COMPLETION_INDEX=${index}, JOB_COMPLETIONS=${env["JOB_COMPLETIONS"] ?? "(not set)"}`;
    if (i === null || n === null)
      throw new UserError(
        "E_OPTION_INVALID",
        `Kubernetes Indexed Job (${shown}): expected integers; set JOB_COMPLETIONS in the pod template to the Job's spec.completions, or give --shard i/n`,
      );
    return { shard: checked(i + 1, n, `Kubernetes Indexed Job (${shown})`), source: shown };
  }
  return null;
}

/** The plan positions [start, end) of a shard's units among `total`. */
export function shardRange(shard: Shard, total: number): { start: number; end: number } {
  return {
    start: Math.floor(((shard.index - 1) * total) / shard.count),
    end: Math.floor((shard.index * total) / shard.count),
  };
}

/** The units of a shard, in plan order. */
export function shardUnits<T>(units: readonly T[], shard: Shard): T[] {
  const { start, end } = shardRange(shard, units.length);
  return units.slice(start, end);
}
