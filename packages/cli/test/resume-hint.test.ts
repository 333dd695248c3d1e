// The command that Ctrl-C prints must run where the user is: `npx nq` where nq is not on PATH.
import { describe, expect, it } from "vitest";
import { nqCommand, resumeCommand } from "../src/interrupt.js";

describe("the resume hint", () => {
  const installed = "/home/u/project/node_modules/@natural-quantization/cli/dist/interrupt.js";
  const checkout = "/home/u/natural-quantization/packages/cli/dist/interrupt.js";

  it("says npx nq when nq ran through npx (npm sets npm_command=exec) or from the repository", () => {
    expect(nqCommand({ npm_command: "exec" }, installed)).toEqual(["npx", "nq"]);
    expect(nqCommand({}, checkout)).toEqual(["npx", "nq"]);
    expect(nqCommand({ npm_command: "run-script" }, checkout)).toEqual(["npx", "nq"]);
  });

  it("says nq for an installed CLI run directly (global install, package scripts)", () => {
    expect(nqCommand({}, installed)).toEqual(["nq"]);
    expect(nqCommand({ npm_command: "run-script" }, installed)).toEqual(["nq"]);
  });

  it("quotes the arguments and swaps --force for --resume", () => {
    expect(resumeCommand(["train", "--out", "run dir", "--force"], ["npx", "nq"])).toBe("npx nq train --out 'run dir' --resume");
  });
});
