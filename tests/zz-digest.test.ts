import { it } from "vitest";
import { cnnDigest, digestCases } from "./helpers/cnn-digest.js";
it("prints digests", () => {
  for (const c of digestCases) console.log(JSON.stringify(c.label), cnnDigest(c));
});
