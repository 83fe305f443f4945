// Reading README.md as a doc test reads it (rustdoc, Python's doctest): its fenced code blocks with the
// line each starts on, the command lines of its indented blocks, its inline code spans, the `$ ` command
// lines of a shell session with the output shown under each, a shell line split into words, output
// compared with the `...` wildcard of doctest's ELLIPSIS, and the exact text of a member of a JSON file.

/** A fenced block: ```lang on line `line` (1-based), its text, and an HTML comment on the line above. */
export interface Block {
  lang: string;
  line: number;
  text: string;
  marker?: string;
}

export function fencedBlocks(readme: string): Block[] {
  const lines = readme.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    // A fence may be indented (a block inside a list item); its lines lose that indentation.
    const open = /^( *)```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!.length;
    const start = i;
    let end = i + 1;
    while (end < lines.length && lines[end] !== `${open[1]}\`\`\``) end++;
    if (end === lines.length) throw new Error(`README.md:${start + 1}: a code block that is never closed`);
    const above = start > 0 ? /^<!--\s*(.*?)\s*-->$/.exec(lines[start - 1]!) : null;
    blocks.push({
      lang: open[2]!,
      line: start + 1,
      text: `${lines
        .slice(start + 1, end)
        .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
        .join("\n")}\n`,
      ...(above ? { marker: above[1]! } : {}),
    });
    i = end;
  }
  return blocks;
}

/** Lines of indented (four-space) code blocks outside fences and lists: `{ line, text }`. */
export function indentedLines(readme: string): { line: number; text: string }[] {
  const lines = readme.split("\n");
  const out: { line: number; text: string }[] = [];
  let fenced = false;
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trimStart().startsWith("```")) fenced = !fenced;
    if (fenced) continue;
    const prevBlank = i === 0 || lines[i - 1]!.trim() === "";
    if (/^ {4}\S/.test(l) && (inBlock || prevBlank) && !/^ {4}[-*\d]/.test(l)) {
      // A list item's continuation is indented too; only blocks after a blank line that follows a paragraph
      // (not a list item) are code. The README's indented blocks all start with a command.
      if (inBlock || /^ {4}(npm|node|neurocompare|npx)\b/.test(l)) {
        inBlock = true;
        out.push({ line: i + 1, text: l.slice(4) });
        continue;
      }
    }
    inBlock = false;
  }
  return out;
}

/** Inline code spans outside fenced and indented blocks, with their line. */
export function inlineSpans(readme: string): { line: number; text: string }[] {
  const lines = readme.split("\n");
  const out: { line: number; text: string }[] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trimStart().startsWith("```")) {
      fenced = !fenced;
      continue;
    }
    if (fenced || /^ {4}(npm|node|neurocompare|npx)\b/.test(l)) continue;
    for (const m of l.matchAll(/`([^`]+)`/g)) out.push({ line: i + 1, text: m[1]! });
  }
  return out;
}

/** A `$ command` of a session, its line, and the output lines shown under it. */
export interface SessionStep {
  line: number;
  command: string;
  expected: string[];
}

/** The `$ ` lines of a block starting on `blockLine` (the fence), with the output under each. */
export function sessionSteps(block: Block): SessionStep[] {
  const steps: SessionStep[] = [];
  block.text
    .replace(/\n$/, "")
    .split("\n")
    .forEach((l, k) => {
      if (l.startsWith("$ ")) steps.push({ line: block.line + 1 + k, command: l.slice(2), expected: [] });
      else if (steps.length > 0) steps[steps.length - 1]!.expected.push(l);
    });
  return steps;
}

/** The command lines of a shell block without prompts: every line that is not blank or a comment. */
export function plainCommands(block: Block): { line: number; command: string }[] {
  return block.text
    .replace(/\n$/, "")
    .split("\n")
    .map((l, k) => ({ line: block.line + 1 + k, command: l }))
    .filter((c) => c.command.trim() !== "" && !c.command.trim().startsWith("#"));
}

/**
 * A shell line as words: single and double quotes, backslash escapes, a trailing `# comment` dropped,
 * `&&` as its own word. Enough for the README's lines; anything fancier (pipes, `$(...)`) is refused.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed quote in ${JSON.stringify(line)}`);
      cur += line.slice(i + 1, end);
      has = true;
      i = end;
    } else if (c === "\\") {
      cur += line[++i] ?? "";
      has = true;
    } else if (c === " " || c === "\t") {
      if (has) words.push(cur);
      cur = "";
      has = false;
    } else if (c === "#" && !has) {
      break;
    } else if (c === "|" || c === ";" || c === ">" || c === "<" || c === "`" || (c === "$" && line[i + 1] === "(")) {
      throw new Error(`shell syntax the doc test does not run: ${JSON.stringify(line)}`);
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/** Splits words at `&&` into commands. */
export function andList(words: string[]): string[][] {
  const out: string[][] = [[]];
  for (const w of words) {
    if (w === "&&") out.push([]);
    else out[out.length - 1]!.push(w);
  }
  return out.filter((c) => c.length > 0);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether `actual` (lines) shows what `expected` shows: line for line, `...` inside a line standing for any
 * text (doctest's ELLIPSIS), a line that is only `...` for any number of lines; with `anyNumbers`, every
 * number in an expected line stands for any number (figures that depend on the settings or the machine).
 * Returns null when it matches, else the first expected line that does not.
 */
export function mismatch(expected: string[], actual: string[], anyNumbers = false): string | null {
  const lineRe = (e: string) => {
    const parts = e.split("...").map((p) => {
      const esc = escapeRe(p);
      return anyNumbers ? esc.replace(/\d+(\\\.\d+)?/g, "[-\\d.,e]+") : esc;
    });
    return new RegExp(`^${parts.join(".*")}$`);
  };
  const go = (i: number, j: number): string | null => {
    if (i === expected.length) return j === actual.length ? null : `(end of the shown output; found ${actual[j]})`;
    const e = expected[i]!;
    if (e.trim() === "...") {
      for (let k = j; k <= actual.length; k++) if (go(i + 1, k) === null) return null;
      return e;
    }
    if (j < actual.length && lineRe(e).test(actual[j]!)) return go(i + 1, j + 1);
    return e;
  };
  return go(0, 0);
}

/**
 * The exact text of the JSON value at `path` (keys and array indexes) inside `text`, as written there, its
 * continuation lines moved left by the column it starts at.
 * A small scanner: it finds spans, it does not validate (JSON.parse has done that).
 */
export function jsonSpan(text: string, path: (string | number)[]): string {
  const { start, end } = jsonRange(text, path);
  return dedent(text.slice(start, end), start - (text.lastIndexOf("\n", start - 1) + 1));
}

function jsonRange(text: string, path: (string | number)[]): { start: number; end: number } {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const skipString = () => {
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
  };
  const skipValue = (): void => {
    ws();
    const c = text[i];
    if (c === '"') {
      skipString();
      return;
    }
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      while (text[i] !== close) {
        if (c === "{") {
          skipString();
          ws();
          i++; // :
        }
        skipValue();
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  for (const key of path) {
    ws();
    const open = text[i];
    i++;
    ws();
    let index = 0;
    for (;;) {
      if (open === "{") {
        const s = i;
        skipString();
        const k = JSON.parse(text.slice(s, i)) as string;
        ws();
        i++; // :
        ws();
        if (k === key) break;
      } else if (index === key) break;
      skipValue();
      ws();
      if (text[i] !== ",") throw new Error(`no member ${String(key)} in ${path.join(".")}`);
      i++;
      ws();
      index++;
    }
  }
  ws();
  const start = i;
  skipValue();
  return { start, end: i };
}

/** Removes the indentation of a span's continuation lines by the column its first line started at. */
function dedent(span: string, column: number): string {
  return span
    .split("\n")
    .map((l, k) => (k === 0 ? l : l.slice(Math.min(column, l.length - l.trimStart().length))))
    .join("\n");
}
