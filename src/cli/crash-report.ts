/**
 * The CLI's last line of defence. An error that is not a UserError is a bug
 * in neurocompare: the terminal gets one line that says so, with the path of
 * a crash report holding everything a maintainer needs (the stack trace, its
 * causes, the command line, versions, memory). The report goes into the
 * command's output folder when the command had one and it exists, else into
 * the system's temporary folder. The exit code stays 70 (EX_SOFTWARE in BSD's
 * sysexits.h: an internal software error).
 *
 * Only node built-ins and the output-path builder here: this module must
 * work when something else has just failed.
 */
import { statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { getHeapStatistics } from "node:v8";
import { outputPath } from "../core/paths.js";

export const INTERNAL_ERROR_EXIT_CODE = 70;

/** Where a command wants its crash report: set on the error as it passes out of the command. */
const OUTPUT_DIR = Symbol("neurocompare.outputDir");

/** Marks an error thrown while a command wrote into `dir` (an output folder), and returns it for rethrowing. */
export function attachOutputDir(e: unknown, dir: string): unknown {
  if (e instanceof Error && !Object.hasOwn(e, OUTPUT_DIR)) {
    Object.defineProperty(e, OUTPUT_DIR, { value: dir, enumerable: false });
  }
  return e;
}

function outputDirOf(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const dir = (e as Error & { [OUTPUT_DIR]?: unknown })[OUTPUT_DIR];
  return typeof dir === "string" ? dir : undefined;
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return `thrown value: ${String(e)}`;
  const parts = [e.stack ?? `${e.name}: ${e.message}`];
  let cause: unknown = e.cause;
  for (let depth = 0; cause !== undefined && depth < 10; depth++) {
    parts.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join("\n");
}

export function crashReportText(e: unknown, argv: readonly string[], version: string, now: Date): string {
  const mem = process.memoryUsage();
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  return [
    "neurocompare crash report: an internal error (a bug in neurocompare, not in the input)",
    `time: ${now.toISOString()}`,
    `neurocompare: ${version}`,
    `node: ${process.version} (${process.platform} ${process.arch})`,
    `command: neurocompare ${argv.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")}`,
    `working folder: ${process.cwd()}`,
    `memory: rss ${mb(mem.rss)}, heap ${mb(mem.heapUsed)} of ${mb(getHeapStatistics().heap_size_limit)}, array buffers ${mb(mem.arrayBuffers)}`,
    "",
    describe(e),
    "",
  ].join("\n");
}

/** The error's first line, shortened: enough to recognise it, never a stack or a dump of generated code. */
function headline(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const first = text.split("\n")[0] ?? "";
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

/**
 * Writes the crash report and returns the one line for the terminal. When no
 * report can be written anywhere, the line says so and carries the stack
 * instead, so nothing is lost.
 */
export function reportInternalError(
  e: unknown,
  argv: readonly string[],
  version: string,
  now: Date = new Date(),
): string {
  const stamp = `${now.toISOString().replace(/[:.]/g, "-")}-${process.pid}`;
  const text = crashReportText(e, argv, version, now);
  const wanted = outputDirOf(e);
  // In a results folder the name is the known kind "crash-*.txt" (never taken for another run's file);
  // in the shared temporary folder it says whose it is.
  const places = [
    ...(wanted !== undefined && isFolder(wanted) ? [{ dir: wanted, name: `crash-${stamp}.txt` }] : []),
    { dir: tmpdir(), name: `neurocompare-crash-${stamp}.txt` },
  ];
  for (const { dir, name } of places) {
    try {
      const path = outputPath(dir, name);
      writeFileSync(path, text, { flag: "wx" });
      return `neurocompare: internal error, a bug in neurocompare (${headline(e)}). The details are in ${path}; please attach that file when you report it.\n`;
    } catch {
      // try the next folder
    }
  }
  return `neurocompare: internal error, a bug in neurocompare; no crash report could be written, so here are the details:\n${text}`;
}
