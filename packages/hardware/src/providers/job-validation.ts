import { CapabilityError, ConfigError } from "@natural-quantization/core";
import type { CircuitJob, ProviderCapabilities } from "../provider.js";

/**
 * Checks shots and every Pub against a provider's capabilities before anything is run or sent.
 * Job size is not limited here: providers split large jobs (see packJobs).
 */
export function validatePubs(job: CircuitJob, caps: ProviderCapabilities): void {
  if (!Number.isInteger(job.shots) || job.shots < 1 || job.shots > caps.maxShots) {
    throw new ConfigError("shots", job.shots, `an integer from 1 to ${caps.maxShots}`);
  }
  if (job.pubs.length === 0) throw new ConfigError("pubs", 0, "at least one Pub");
  job.pubs.forEach((pub, i) => {
    if (typeof pub.program !== "string" || pub.program.trim() === "") {
      throw new ConfigError(`pubs[${i}].program`, "(empty)", `OpenQASM text (${caps.format})`);
    }
    if (!Number.isInteger(pub.clbits) || pub.clbits < 1) {
      throw new ConfigError(`pubs[${i}].clbits`, pub.clbits, "an integer >= 1");
    }
    if (pub.bindings === null) return;
    if (!caps.parameterBindings) {
      throw new CapabilityError(`pubs[${i}] has parameter bindings, which this provider does not take; bind the values into the program`);
    }
    if (pub.bindings.length === 0) throw new ConfigError(`pubs[${i}].bindings`, "[]", "at least one row, or null");
    const width = pub.bindings[0].length;
    pub.bindings.forEach((row, r) => {
      if (row.length !== width) throw new ConfigError(`pubs[${i}].bindings[${r}].length`, row.length, `${width}, like row 0`);
      row.forEach((v, k) => {
        if (!Number.isFinite(v)) throw new ConfigError(`pubs[${i}].bindings[${r}][${k}]`, v, "a finite number");
      });
    });
  });
}
