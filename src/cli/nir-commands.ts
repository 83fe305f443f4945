/**
 * `neurocompare export <results-or-checkpoint-or-scenario> --format nir` and
 * `neurocompare import <file.nir>`: a trained learner from a results folder
 * (runs/checkpoint-learner.ts, learners/nir-export.ts), or a network
 * scenario (scenario/nir-network.ts), to a NIR file, and NIR files back to
 * network scenarios. Loaded only when one of these commands runs.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { UserError } from "../core/errors.js";
import { fileComponent, outputPath } from "../core/paths.js";
import { writeFileAtomic } from "../report/write.js";
import { loadAnyScenario } from "../scenario/load.js";
import { networkScenarioSchema } from "../scenario/network-schema.js";
import { networkToNir, nirToNetwork } from "../scenario/nir-network.js";
import { readNir, writeNir } from "../snn/nir/hdf5.js";
import { learnerToNir } from "../learners/nir-export.js";
import { checkpointLocation, learnerFromResults } from "../runs/checkpoint-learner.js";
import { parseSeed } from "./options.js";

export interface ExportOptions {
  format?: string;
  out?: string;
  seed?: string;
  learner?: string;
}

/** The file `--out` names, built with outputPath (its folder, created if missing, then the file name as one component). */
function outFile(out: string): string {
  const full = resolve(out);
  mkdirSync(dirname(full), { recursive: true });
  return outputPath(dirname(full), fileComponent(basename(full)));
}

/** JSON with two-space indentation, but arrays of numbers on one line (imported weight lists are long). */
function scenarioJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g,
    (_m, body: string) => `[${body.replace(/\s+/g, "")}]`,
  );
}

export async function exportCommand(source: string, opts: ExportOptions): Promise<void> {
  const format = opts.format ?? "nir";
  if (format !== "nir") {
    throw new UserError("E_OPTION_INVALID", `option --format: expected nir, found ${JSON.stringify(format)}`);
  }
  const checkpoint = checkpointLocation(source);
  if (checkpoint !== null || (existsSync(source) && statSync(source).isDirectory())) {
    await exportTrained(source, checkpoint, opts);
    return;
  }
  const loaded = loadAnyScenario(source);
  if (loaded.kind !== "network") {
    throw new UserError(
      "E_OPTION_INVALID",
      `${source} is a learning scenario: its learners exist only once trained; run it, then export its results folder (neurocompare export results/${loaded.scenario.name} --format nir)`,
    );
  }
  const s = loaded.scenario;
  const seed = parseSeed(opts.seed) ?? s.seeds[0] ?? 0;
  const graph = networkToNir(s, source, seed);
  const path =
    opts.out !== undefined ? outFile(opts.out) : outputPath(dirname(resolve(source)), `${fileComponent(s.name)}.nir`);
  await writeNir(path, graph);
  const kinds = [...graph.nodes.values()].map((n) => n.type);
  process.stdout.write(
    `wrote ${path}: ${graph.nodes.size} NIR nodes (${[...new Set(kinds)].join(", ")}), ${graph.edges.length} edges, dt ${s.dtMs} ms\n`,
  );
}

/** A trained learner from a results folder (or one unit's checkpoint file) as a `.nir` file. */
async function exportTrained(
  source: string,
  checkpoint: { dir: string; unitFolder: string } | null,
  opts: ExportOptions,
): Promise<void> {
  const dir = checkpoint?.dir ?? resolve(source);
  const seed = parseSeed(opts.seed);
  const { learner, unit } = learnerFromResults(dir, {
    ...(opts.learner !== undefined ? { learner: opts.learner } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(checkpoint !== null ? { unitFolder: checkpoint.unitFolder } : {}),
  });
  const graph = learnerToNir(learner);
  const path =
    opts.out !== undefined
      ? outFile(opts.out)
      : outputPath(dir, `${fileComponent(unit.learner.name)}-seed${unit.seed}.nir`);
  await writeNir(path, graph);
  process.stdout.write(
    `wrote ${path}: ${unit.learner.name} seed ${unit.seed} from ${dir}, ${graph.nodes.size} NIR nodes, ${graph.edges.length} edges, dt ${Number(graph.metadata["dt"]) * 1000} ms\n`,
  );
}

export interface ImportOptions {
  out?: string;
  dtMs?: string;
  name?: string;
  durationMs?: string;
}

export async function importCommand(file: string, opts: ImportOptions): Promise<void> {
  const graph = await readNir(file);
  const stem = basename(file, extname(file));
  const name =
    (opts.name ??
      stem
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-")
        .replace(/^[^a-z0-9]+/, "")) ||
    "nir";
  const number = (v: string | undefined, option: string): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!(x > 0) || !Number.isFinite(x)) {
      throw new UserError(
        "E_OPTION_INVALID",
        `option ${option}: expected a positive number, found ${JSON.stringify(v)}`,
      );
    }
    return x;
  };
  const dtMs = number(opts.dtMs, "--dt-ms");
  const durationMs = number(opts.durationMs, "--duration-ms");
  const scenario = nirToNetwork(graph, file, {
    name,
    ...(dtMs !== undefined ? { dtMs } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
  });
  // The scenario must be one `run` accepts.
  const check = networkScenarioSchema.safeParse(scenario);
  if (!check.success) throw new Error(`internal error: imported scenario does not validate: ${check.error.message}`);
  const path =
    opts.out !== undefined ? outFile(opts.out) : outputPath(dirname(resolve(file)), `${fileComponent(name)}.json`);
  writeFileAtomic(path, `${scenarioJson(scenario)}\n`);
  const groups = scenario["groups"] as unknown[];
  const synapses = scenario["synapses"] as unknown[];
  process.stdout.write(
    `wrote ${path}: ${groups.length} groups, ${synapses.length} synapse populations (inputs are spike generators with no spikes yet: fill them in)\n`,
  );
}
