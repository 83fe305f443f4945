/**
 * `neurocompare migrate <files...> [--check] [--stdout]`: rewrites scenario
 * files of an older format version in the current one. The edits of each
 * format step (scenario/format.ts) are applied to the text, so the rest of
 * the file keeps its formatting; the result must parse and validate before
 * anything is written, and it replaces the original atomically (a complete
 * temporary file renamed over it), so an error never leaves a half-written
 * or lost file.
 */
import { basename, dirname } from "node:path";
import { isUserError } from "../core/errors.js";
import { outputPath } from "../core/paths.js";
import { READ_LIMITS } from "../core/read-file.js";
import { writeFileAtomic } from "../report/write.js";
import { CURRENT_FORMAT } from "../scenario/format.js";
import { parseAnyScenarioText } from "../scenario/load.js";
import { migrateText } from "../scenario/migrate.js";
import { readTextFile } from "../scenario/parse.js";

export interface MigrateOptions {
  /** Only report which files need migrating (exit 1 if any). */
  check?: boolean;
  /** Print the migrated text instead of writing it. */
  stdout?: boolean;
}

/** Returns the exit code: 0 done (or nothing to do), 1 with --check when a file needs migrating, 2 on a user error. */
export function migrateCommand(files: readonly string[], opts: MigrateOptions = {}): number {
  let bad = 0;
  let pending = 0;
  for (const f of files) {
    try {
      const text = readTextFile(f, "scenario file", READ_LIMITS.scenario);
      const m = migrateText(text, f);
      if (m.changes.length === 0) {
        if (opts.stdout) process.stdout.write(text);
        else process.stdout.write(`${f}: already in scenario format ${CURRENT_FORMAT}\n`);
        continue;
      }
      if (opts.check) {
        pending++;
        process.stdout.write(
          `${f}: scenario format ${m.from}, needs \`neurocompare migrate\` (${m.changes.join("; ")})\n`,
        );
        continue;
      }
      // The migrated file must be a valid scenario before it replaces anything.
      parseAnyScenarioText(m.text, f);
      if (opts.stdout) {
        process.stdout.write(m.text);
        continue;
      }
      writeFileAtomic(outputPath(dirname(f), basename(f)), m.text);
      process.stdout.write(
        `${f}: migrated from scenario format ${m.from} to ${CURRENT_FORMAT} (${m.changes.join("; ")})\n`,
      );
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return bad > 0 ? 2 : pending > 0 ? 1 : 0;
}
