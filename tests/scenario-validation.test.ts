// Reference: the error contract of src/core/errors.ts — every mistake names the file,
// the JSON path (and line), what was expected and what was found.
import { describe, expect, it } from "vitest";
import { ScenarioError, UserError } from "../src/core/errors.js";
import { loadScenario, parseScenarioText } from "../src/scenario/parse.js";

const FILE = "bad.json";
const good = {
  name: "t",
  description: "d",
  task: { type: "xor" },
  learners: [{ type: "mlp" }],
  epochs: 2,
};

function problems(text: string): ScenarioError {
  try {
    parseScenarioText(text, FILE);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

const withChange = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch }, null, 2);

describe("scenario validation", () => {
  it("accepts a minimal scenario and fills in defaults", () => {
    const s = parseScenarioText(JSON.stringify(good), FILE);
    expect(s.seeds).toEqual([0]);
    expect(s.charts).toEqual(["learning-curve", "loss-curve", "weight-histogram"]);
    expect(s.learners[0]).toMatchObject({ type: "mlp", hidden: [16], activation: "relu", batchSize: 32 });
  });

  const cases: { kind: string; text: string; path: string; expected: RegExp; found: RegExp; line?: number }[] = [
    {
      kind: "malformed JSON",
      text: '{\n  "name": "t",\n  "epochs": 3,\n}\n',
      path: "(syntax)",
      expected: /valid JSON/,
      found: /.+/,
      line: 4,
    },
    {
      kind: "unknown key",
      text: withChange({ epochz: 3 }),
      path: "$.epochz",
      expected: /one of the keys .*"epochs"/,
      found: /unknown key "epochz"/,
    },
    {
      kind: "wrong type",
      text: withChange({ epochs: "ten" }),
      path: "$.epochs",
      expected: /integer|number/,
      found: /string "ten"/,
    },
    {
      kind: "non-integer",
      text: withChange({ epochs: 2.5 }),
      path: "$.epochs",
      expected: /integer/,
      found: /number 2.5/,
    },
    { kind: "out of range", text: withChange({ epochs: 0 }), path: "$.epochs", expected: /≥ 1/, found: /number 0/ },
    {
      kind: "unknown learner",
      text: withChange({ learners: [{ type: "transformer" }] }),
      path: "$.learners[0].type",
      expected: /learner type.*"mlp".*"lsm"/,
      found: /string "transformer"/,
    },
    {
      kind: "unknown task",
      text: withChange({ task: { type: "imagenet" } }),
      path: "$.task.type",
      expected: /task type.*"xor".*"moons"/,
      found: /string "imagenet"/,
    },
    {
      kind: "missing required key",
      text: JSON.stringify({ ...good, epochs: undefined }),
      path: "$.epochs",
      expected: /required/,
      found: /missing/,
    },
    {
      kind: "bad enum value",
      text: withChange({ learners: [{ type: "mlp", activation: "swish" }] }),
      path: "$.learners[0].activation",
      expected: /"relu"/,
      found: /string "swish"/,
    },
    {
      kind: "empty learner list",
      text: withChange({ learners: [] }),
      path: "$.learners",
      expected: /≥ 1 item/,
      found: /empty array/,
    },
    {
      kind: "unknown key inside a learner",
      text: withChange({ learners: [{ type: "lsm", hiden: 10 }] }),
      path: "$.learners[0].hiden",
      expected: /one of the keys .*"hidden".*"encoding"/,
      found: /unknown key "hiden"/,
    },
    {
      kind: "duplicate learner names",
      text: withChange({ learners: [{ type: "mlp" }, { type: "mlp" }] }),
      path: "$.learners[1].name",
      expected: /not used by learners\[0\]/,
      found: /already the name/,
    },
    {
      kind: "negative noise",
      text: withChange({ task: { type: "moons", noise: -1 } }),
      path: "$.task.noise",
      expected: /≥ 0/,
      found: /number -1/,
    },
    {
      kind: "bad name",
      text: withChange({ name: "My Scenario!" }),
      path: "$.name",
      expected: /lower-case name/,
      found: /string "My Scenario!"/,
    },
  ];

  for (const c of cases) {
    it(`reports ${c.kind} with file, path, expected and found`, () => {
      const e = problems(c.text);
      expect(e).toBeInstanceOf(UserError);
      expect(e.exitCode).toBe(2);
      const issue = e.issues.find((i) => i.path === c.path);
      expect(issue, `issues: ${JSON.stringify(e.issues)}`).toBeDefined();
      expect(issue!.expected).toMatch(c.expected);
      expect(issue!.found).toMatch(c.found);
      if (c.line !== undefined) expect(issue!.line).toBe(c.line);
      expect(e.message).toContain(FILE);
      expect(e.message).toContain(c.path);
    });
  }

  it("points at the line of the offending key", () => {
    const text = withChange({ epochs: 0 });
    const e = problems(text);
    const line = text.split("\n").findIndex((l) => l.includes('"epochs"')) + 1;
    expect(e.issues[0]!.line).toBe(line);
    expect(e.message).toContain(`${FILE}:${line}:`);
  });

  it("reports every problem of a file at once", () => {
    const e = problems(withChange({ epochs: 0, foo: 1, task: { type: "xor", noise: "x" } }));
    expect(e.issues.map((i) => i.path).sort()).toEqual(["$.epochs", "$.foo", "$.task.noise"]);
  });

  it("says plainly when the file does not exist", () => {
    expect(() => loadScenario("no/such/file.json")).toThrow(/no\/such\/file\.json: no such scenario file/);
  });
});
