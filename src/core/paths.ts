/**
 * The one output-path builder. Every file any command writes gets its path
 * from `outputPath`, and every user-given string that becomes part of a file
 * name (a learner name, a sweep label, a group name) passes through
 * `fileComponent` first.
 *
 * `fileComponent` keeps a name readable when it is already a safe file name
 * and otherwise replaces it with a slug plus a short hash of the original, so
 * that two different names never map to the same file. `outputPath` then
 * refuses any component that could leave the folder (`..`, separators, NUL,
 * an absolute path), and checks the joined path lies inside the folder: a
 * name that reaches it without going through `fileComponent` is a bug, and
 * fails loudly instead of writing elsewhere.
 */
import { createHash } from "node:crypto";
import { mkdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { UserError } from "./errors.js";

/** Longest slug kept before the hash; with the hash and an extension a name stays well under 255 bytes. */
const MAX_SLUG_CHARS = 64;

/** Device names Windows reserves in any folder, with or without an extension (Microsoft, "Naming Files, Paths, and Namespaces"). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Characters kept as they are in a file-name component: portable on every file system. */
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8);
}

/**
 * A file-name component for a user-given string: the string itself when it is
 * already safe (letters, digits, `.`, `_`, `-`, starting with a letter or
 * digit, not a reserved device name, at most 64 characters, and not ending in
 * a dot); otherwise an ASCII slug of it followed by `-` and 8 hex digits of
 * its SHA-256, so distinct names stay distinct.
 */
export function fileComponent(name: string): string {
  if (SAFE.test(name) && name.length <= MAX_SLUG_CHARS && !WINDOWS_RESERVED.test(name) && !name.endsWith(".")) {
    return name;
  }
  const slug = name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/[._-]{2,}/g, "-")
    .replace(/^[._-]+|[._-]+$/g, "")
    .slice(0, MAX_SLUG_CHARS)
    .replace(/[._-]+$/g, "");
  // "con.txt-1a2b3c4d" is still the device CON to Windows: its stem loses the dot.
  const stem = WINDOWS_RESERVED.test(slug) ? slug.replace(/\./g, "_") : slug;
  return `${stem.length > 0 ? stem : "x"}-${shortHash(name)}`;
}

/** Whether a single path component is one `outputPath` accepts. */
function isPlainComponent(part: string): boolean {
  return (
    part.length > 0 &&
    part !== "." &&
    part !== ".." &&
    !part.includes("/") &&
    !part.includes("\\") &&
    !part.includes("\0") &&
    !isAbsolute(part)
  );
}

/**
 * `dir/part/part/...`, refusing any part that is not a plain file-name
 * component and any result that would not lie inside `dir`. Fixed names
 * ("charts", "metrics.csv") pass as they are; user strings must have gone
 * through `fileComponent`.
 */
export function outputPath(dir: string, ...parts: string[]): string {
  for (const part of parts) {
    if (!isPlainComponent(part)) {
      throw new Error(
        `internal: output path component ${JSON.stringify(part)} is not a plain file name (user strings go through fileComponent)`,
      );
    }
  }
  const root = resolve(dir);
  const path = join(root, ...parts);
  const rel = relative(root, path);
  if (parts.length > 0 && (rel === "" || rel.startsWith("..") || isAbsolute(rel))) {
    throw new Error(`internal: output path ${JSON.stringify(path)} leaves its folder ${JSON.stringify(root)}`);
  }
  return path;
}

/** The nearest existing path at or above `path` that is not a folder, if any (the reason mkdir -p fails). */
function blockingFile(path: string): string | undefined {
  let p = resolve(path);
  for (;;) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch {
      st = undefined; // ENOTDIR: a file further up; keep climbing to name it
    }
    if (st !== undefined) return st.isDirectory() ? undefined : p;
    const up = dirname(p);
    if (up === p) return undefined;
    p = up;
  }
}

/**
 * Creates an output folder (and its parents). When a file stands where a
 * folder must be (`--out` naming an existing file, a file called `charts` in a
 * results folder) the answer is a UserError naming it, not a stack trace.
 */
export function makeOutputDir(dir: string): void {
  const blocked = blockingFile(dir);
  if (blocked !== undefined) {
    throw new UserError(
      "E_OUTPUT_INVALID",
      `${blocked}: is a file, but an output folder must be written ${blocked === resolve(dir) ? "here" : `at ${dir}`}; name another folder, or move the file`,
    );
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError("E_OUTPUT_INVALID", `${dir}: cannot create the output folder (${code ?? String(e)})`);
  }
}
