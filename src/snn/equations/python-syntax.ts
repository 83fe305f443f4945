/**
 * The Python spellings Brian2's equation strings use that mathjs reads
 * differently, rewritten before parsing so a Brian2 model pastes in
 * unchanged:
 *
 *   x**2     Python's power, mathjs's x^2 (same precedence and right
 *            associativity: -v**2 is -(v**2), 2**-1 is 0.5 in both)
 *   1./tau   a float literal ending in ".", which mathjs would read as the
 *            element-wise operator "./": rewritten 1.0/tau
 *
 * and, in `joinContinuations`, an equation written over several lines (a
 * line that ends inside parentheses or with an operator continues on the
 * next), as Brian2's examples do.
 */
export function fromPythonSyntax(text: string): string {
  return text.replace(/\*\*/g, "^").replace(/(\d)\.(?![\d])/g, "$1.0");
}

/** A line of model text: its 1-based number, the trimmed text, and the text without its comment. */
export interface ModelLine {
  line: number;
  text: string;
  body: string;
}

/** Whether an equation's text stops in the middle: open parentheses, or a trailing operator or comma. */
function continues(body: string): boolean {
  let depth = 0;
  for (const ch of body) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
  }
  return depth > 0 || /[-+*/^(,]$/.test(body);
}

/**
 * Joins continuation lines onto the line they continue; the joined line keeps the first line's
 * number, and its text is the lines' texts joined by a space.
 */
export function joinContinuations(lines: readonly ModelLine[]): ModelLine[] {
  const out: ModelLine[] = [];
  let open: ModelLine | undefined;
  for (const l of lines) {
    if (open !== undefined) {
      open = { line: open.line, text: `${open.text} ${l.text}`, body: `${open.body} ${l.body}` };
    } else if (l.body !== "") open = { ...l };
    else {
      out.push(l);
      continue;
    }
    if (!continues(open.body)) {
      out.push(open);
      open = undefined;
    }
  }
  if (open !== undefined) out.push(open);
  return out;
}
