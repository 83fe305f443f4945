/**
 * The neurocompare command line. User mistakes (a bad scenario, option or
 * file) print a plain message and exit 2; anything else is a bug: one line
 * says so and names the crash report that holds the stack trace (exit 70).
 *
 * Each command's module is imported inside its action (`await import()`), so a
 * command loads only what it uses: `--help` loads commander and nothing else,
 * `validate` the schemas, and only `run` and `report` load the chart
 * libraries. Importing every command up front made `--help` take 1.0 s of CPU
 * and 150 MB (mathjs alone is 0.9 s); `neurocompare bench startup` measures it.
 */
import { Command, CommanderError } from "commander";
import { isUserError } from "../core/errors.js";
import { packageVersion } from "../version.js";
import type { BenchOptions } from "./bench-command.js";

function buildProgram(): Command {
  const program = new Command();
  program
    .name("neurocompare")
    .description(
      "Spiking and artificial neural networks side by side: same task, same data, same seeds. " +
        "A scenario file (JSON) names a task, the learners and the epochs; `run` trains them and " +
        "writes metrics.csv, summary.json, charts and a report to results/<scenario-name>/.",
    )
    .version(packageVersion, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      "\nStart here:\n  neurocompare list                          the bundled scenarios\n  neurocompare run scenarios/quickstart.json  train, then open results/quickstart/report.html\n  neurocompare validate my-scenario.json     check a file you wrote\n",
    )
    .exitOverride();

  program
    .command("run")
    .description("train every learner of a scenario with every seed, then write results and report")
    .argument("<scenario>", "scenario file, e.g. scenarios/quickstart.json")
    .option("-o, --out <dir>", "write results into this folder (default: results/<scenario-name>)")
    .option("-s, --seeds <n>", "run n seeds (the scenario's first seed, +1, +2, ...) instead of the scenario's list")
    .option("-j, --jobs <n>", "units run at once, on worker threads (default: the cores available)")
    .option("--fresh", "remove another run's results files from the folder (only those) instead of refusing")
    .option(
      "--shard <i/n>",
      "run only shard i of n (1-based) of the units into a folder the other shards share; default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/JOB_COMPLETIONS when set",
    )
    .option("-q, --quiet", "no progress lines")
    .option("--max-memory <size>", "memory the run may use, e.g. 8G (default: this machine's memory)")
    .addHelpText(
      "after",
      "\nRunning again into the same folder resumes: finished units are kept, interrupted ones continue from their last epoch.\nCtrl-C once: finish the running epochs, write partial results, print the command that resumes; twice: quit at once.\nShards: each runs its block of the plan's units; the last to finish writes the tables and report, or `neurocompare merge DIR` does.\nExit codes: 0 done; 2 bad input, a folder holding other files, or a run past a resource limit; 3 a unit diverged (the rest is written); 130 stopped.\n\nExamples:\n  neurocompare run scenarios/quickstart.json --seeds 3 --jobs 2\n  neurocompare run scenarios/quickstart.json --out results/q --shard 1/2   (and 2/2 elsewhere, then merge)\n",
    )
    .action(
      async (
        file: string,
        opts: {
          out?: string;
          seeds?: string;
          jobs?: string;
          fresh?: boolean;
          shard?: string;
          quiet?: boolean;
          maxMemory?: string;
        },
      ) => {
        const { runCommand } = await import("./run-command.js");
        await runCommand(file, opts);
      },
    );

  program
    .command("validate")
    .description(
      "check scenario files without running them: schema, resource limits, and a build of every learner or network (exit 2 if any is invalid)",
    )
    .argument("<files...>", "scenario files")
    .option("--max-memory <size>", "memory a run may use, e.g. 8G (default: this machine's memory)")
    .action(async (files: string[], opts: { maxMemory?: string }) => {
      const { validateCommand } = await import("./validate-command.js");
      process.exitCode = await validateCommand(files, opts);
    });

  program
    .command("migrate")
    .description(
      "rewrite scenario files of an older format version in the current one, keeping their formatting (atomically: the original stays until the new file is complete)",
    )
    .argument("<files...>", "scenario files")
    .option("--check", "only list the files that need migrating (exit 1 if any)")
    .option("--stdout", "print the migrated file instead of writing it")
    .action(async (files: string[], opts: { check?: boolean; stdout?: boolean }) => {
      const { migrateCommand } = await import("./migrate-command.js");
      process.exitCode = migrateCommand(files, opts);
    });

  program
    .command("list")
    .description("list scenarios with their one-line descriptions")
    .argument("[dir]", "folder of scenario files (default: ./scenarios)")
    .option("--learners", "list the learner types instead")
    .action(async (dir: string | undefined, opts: { learners?: boolean }) => {
      const { listCommand } = await import("./list-command.js");
      process.exitCode = listCommand(dir, opts);
    });

  program
    .command("report")
    .description(
      "rebuild charts, report.html and report.md from a run's folder without retraining; on a folder of runs (results/), write its index.html",
    )
    .argument("<dir>", "a folder written by `neurocompare run`, or a folder holding such folders")
    .addHelpText("after", "\nExamples:\n  neurocompare report results/quickstart\n  neurocompare report results\n")
    .action(async (dir: string) => {
      const { reportCommand } = await import("./report-command.js");
      await reportCommand(dir);
    });

  program
    .command("slurm")
    .description(
      "write a SLURM job array (one shard of the units per task) and a merge job that builds the report; --submit submits both",
    )
    .argument("<scenario>", "scenario file")
    .option("-o, --out <dir>", "results folder, on a file system the nodes share (default: results/<scenario-name>)")
    .option("--tasks <n>", "array tasks (default: one per unit)")
    .option("--partition <p>", "SLURM partition")
    .option("--time <t>", "time limit per task (minutes, HH:MM:SS, D-HH:MM, ...)")
    .option("--cpus-per-task <c>", "CPUs per task; each task runs that many units at once (default 1)")
    .option("-s, --seeds <n>", "run n seeds (the scenario's first seed, +1, +2, ...) instead of the scenario's list")
    .option("--fresh", "remove another run's results files from the folder (only those) instead of refusing")
    .option("--submit", "submit the array and the merge job with sbatch, and print their job ids")
    .addHelpText(
      "after",
      "\nThe scripts go into the results folder (<name>.sbatch, <name>-merge.sbatch), the job logs too (slurm-*.out).\nA task cut off resumes from its last epoch when the array is submitted again.\n\nExample:\n  neurocompare slurm scenarios/quickstart.json --out results/q --tasks 4 --time 30 --submit\n",
    )
    .action(
      async (
        file: string,
        opts: {
          out?: string;
          tasks?: string;
          partition?: string;
          time?: string;
          cpusPerTask?: string;
          seeds?: string;
          fresh?: boolean;
          submit?: boolean;
        },
      ) => {
        const { slurmCommand } = await import("./slurm-command.js");
        await slurmCommand(file, opts);
      },
    );

  program
    .command("merge")
    .description(
      "assemble a run's tables and report from the units its shards finished (safe while shards still run); says what is missing",
    )
    .argument("<resultsDir>", "a folder that `run --shard` or `neurocompare slurm` jobs write into")
    .addHelpText(
      "after",
      "\nExit codes: 0 every unit merged; 3 merged, and a unit diverged; 4 units missing (the report is marked incomplete); 2 not a results folder.\n",
    )
    .action(async (dir: string) => {
      const { mergeCommand } = await import("./merge-command.js");
      await mergeCommand(dir);
    });

  program
    .command("compare")
    .description(
      "put runs side by side: headline figures with intervals, Welch tests between runs (Holm-corrected), overlaid learning curves",
    )
    .argument("<dirs...>", "two or more folders written by `neurocompare run`")
    .option("-o, --out <dir>", "write the comparison here (default: compare-<a>-vs-<b> beside the first run)")
    .addHelpText(
      "after",
      "\nExample:\n  neurocompare compare results/before results/after --out results/before-vs-after\n",
    )
    .action(async (dirs: string[], opts: { out?: string }) => {
      const { compareCommand } = await import("./compare-command.js");
      await compareCommand(dirs, opts);
    });

  program
    .command("schema")
    .description("print the scenario JSON Schema (the same schema the validator uses)")
    .option("-o, --out <file>", "write it to a file instead")
    .action(async (opts: { out?: string }) => {
      const { schemaCommand } = await import("./schema-command.js");
      schemaCommand(opts);
    });

  program
    .command("export")
    .description(
      "write a trained spiking learner (from a results folder or a unit's checkpoint) or a network scenario made of NIR primitives as a NIR file (.nir, HDF5)",
    )
    .argument("<source>", "a results folder, a unit's state.bin or checkpoint.bin, or a network scenario file")
    .option("-f, --format <format>", "the format: nir (default)")
    .option(
      "-o, --out <file>",
      "write here (default: <learner>-seed<N>.nir in the results folder; for a network scenario, <scenario-name>.nir beside it)",
    )
    .option("--learner <name>", "results folder: the learner to export (default: the only one)")
    .option(
      "--seed <n>",
      "results folder: the seed's unit (default: the first); network scenario: the seed that draws its connectivity",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  neurocompare export results/mnist-surrogate --format nir --out mnist-snn.nir\n  neurocompare export scenarios/nir-network.json --format nir --out net.nir\n",
    )
    .action(async (source: string, opts: { format?: string; out?: string; seed?: string; learner?: string }) => {
      const { exportCommand } = await import("./nir-commands.js");
      await exportCommand(source, opts);
    });

  program
    .command("import")
    .description("read a NIR file (.nir) as a network scenario (groups, synapses) to run or edit")
    .argument("<file>", "a .nir file, e.g. written by snnTorch, Norse, Sinabs or `neurocompare export`")
    .option("-o, --out <file>", "write the scenario here (default: <name>.json beside the .nir file)")
    .option("--dt-ms <ms>", "the time step (default: the file's metadata dt; NIR files need not give one)")
    .option("--name <name>", "the scenario's name (default: the file's name)")
    .option("--duration-ms <ms>", "the scenario's duration (default 100)")
    .addHelpText("after", "\nExample:\n  neurocompare import lif_norse.nir --dt-ms 0.1 --out lif.json\n")
    .action(async (file: string, opts: { out?: string; dtMs?: string; name?: string; durationMs?: string }) => {
      const { importCommand } = await import("./nir-commands.js");
      await importCommand(file, opts);
    });

  program
    .command("bench")
    .description(
      "speed benchmarks: mlp, cnn, lstm (one MNIST epoch; PyTorch 1.13 on one thread takes 457, 851 and 2,824 ms), cuba (the CUBA network, Vogels & Abbott 2005), pruning (time per sample before and after pruning half the synapses), startup (time and memory of --help, validate and bench cuba), scenario <file> (a whole run per --jobs setting, and the speed-up) or network (Diehl & Cook on the general engine against the fused stdp learner: CPU per training image and the ratio)",
    )
    .argument("<workload>", "mlp | cnn | lstm | cuba | pruning | startup | scenario | network")
    .argument("[file]", "scenario: the scenario file")
    .option("--json", "print one JSON object instead of a table")
    .option("--epochs <n>", "epochs to train (mlp, cnn, lstm; default 1)")
    .option("--seed <n>", "seed (default 0)")
    .option("--neurons <n>", "cuba, startup: network size, in-degree held at 80 (default 4000)")
    .option("--duration <s>", "cuba: seconds of biological time (default 1)")
    .option(
      "--precision <p>",
      "cuba: LIF state and arithmetic, float64 (default, as Brian2) or float32 (opt-in, faster, moves some spike times)",
    )
    .option("--runs <n>", "startup: timed runs per command, after one warm-up (default 5)")
    .option(
      "--kernels <k>",
      "cnn: exact (default; bit-identical on every runtime) or relaxed-simd (fused multiply-add where WebAssembly relaxed SIMD is available, Node 22+)",
    )
    .option(
      "--peer <peer>",
      "mlp, cnn, lstm: also run PyTorch (torch, one thread) and print both sides and ours / PyTorch",
    )
    .option(
      "--repeat <n>",
      "with --peer: interleaved runs a side, each in a fresh process; scenario: interleaved rounds (default 5)",
    )
    .option("--jobs <list>", "scenario: --jobs settings to compare, e.g. 1,2 (default: 1 and the cores available)")
    .option("--python <path>", "with --peer: the Python that imports torch (default /usr/bin/python3)")
    .addHelpText(
      "after",
      "\nExamples:\n  neurocompare bench mlp --json\n  neurocompare bench cnn --peer torch --repeat 5\n  neurocompare bench cnn --kernels relaxed-simd --peer torch\n  neurocompare bench cuba --neurons 100000\n  neurocompare bench pruning\n  neurocompare bench startup --runs 10\n  neurocompare bench scenario bench/jobs-speedup.json --jobs 1,2\n  neurocompare bench network --runs 7\n",
    )
    .action(async (workload: string, file: string | undefined, opts: BenchOptions) => {
      const { benchCommand } = await import("./bench-command.js");
      await benchCommand(workload, opts, file);
    });

  return program;
}

/**
 * Runs one command line (`argv` without node and the script) in this process and
 * resolves to its exit status: 0 done, 2 a user mistake (the message already on
 * stderr), a command's own status otherwise. Internal errors reject. The bin
 * (main.ts) and the in-process CLI tests both call it.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; a wrong command or option is a user mistake.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(e)) {
      process.stderr.write(`error [${e.code}]: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
