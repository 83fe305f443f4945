// The command line of a benchmark script run by hand (bench:all, bench:peers, bench:brian2, parity, ...),
// answered as the CLI's commands answer theirs: `--help` (or -h) prints the usage and exits 0; an unknown
// option or a missing value prints the message and the usage and exits 2, before any work starts.
import { parseArgs } from "node:util";

/**
 * Parses process.argv with `options` (node:util parseArgs, strict, no positionals) plus `--help`.
 * `prefix` starts the error line (e.g. "bench:all: ").
 */
export function scriptArgs(usage, options, prefix = "") {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: "boolean", short: "h", default: false } } }));
  } catch (e) {
    console.error(`${prefix}${e.message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}
