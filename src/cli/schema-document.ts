/**
 * Whether a file given to `validate` is a JSON Schema document rather than a
 * scenario: `neurocompare validate scenarios/*.json` also matches
 * `scenarios/schema.json`, the schema that scenario files point to through
 * their `$schema` line, and it is skipped with a note instead of reported as
 * a bad scenario.
 *
 * A JSON Schema names its meta-schema in `$schema` (a json-schema.org
 * address); a scenario's `$schema` is a path to schema.json. Only the file's
 * start is read (the first 4 kB; `schema --out` writes `$schema` first), so a
 * huge file costs nothing here and is left to the scenario reader's limits.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

const META_SCHEMA_FIRST = /^\uFEFF?\s*\{\s*"\$schema"\s*:\s*"https?:\/\/json-schema\.org\//;

/** True when the file starts as a JSON Schema document does; false for scenarios and unreadable files. */
export function isJsonSchemaDocument(file: string): boolean {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO opens at once instead of waiting for a writer (Windows has no such flag and no FIFOs).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return false; // the scenario reader reports the unreadable file
  }
  try {
    // A FIFO, a device or a folder is not a schema: the scenario reader refuses it with its kind.
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    return META_SCHEMA_FIRST.test(head.toString("utf8", 0, n));
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
