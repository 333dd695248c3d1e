import { CapabilityError, ConfigError } from "@natural-quantization/core";
import type { CircuitJob, ProviderCapabilities } from "../provider.js";

/** Checks a job against a provider's declared limits before anything is run or sent. */
export function validateJob(job: CircuitJob, caps: ProviderCapabilities): void {
  if (!Number.isInteger(job.shots) || job.shots < 1 || job.shots > caps.maxShots) {
    throw new ConfigError("shots", job.shots, `an integer from 1 to ${caps.maxShots}`);
  }
  if (job.pubs.length === 0) throw new ConfigError("pubs", 0, "at least one Pub");
  let executions = 0;
  job.pubs.forEach((pub, i) => {
    if (!Number.isInteger(pub.clbits) || pub.clbits < 1) {
      throw new ConfigError(`pubs[${i}].clbits`, pub.clbits, "an integer >= 1");
    }
    if (pub.bindings !== null) {
      if (!caps.parameterBindings) {
        throw new CapabilityError(`pubs[${i}] has parameter bindings, which this provider does not take; bind values into the program`);
      }
      if (pub.bindings.length === 0) throw new ConfigError(`pubs[${i}].bindings`, "[]", "at least one row, or null");
      const width = pub.bindings[0].length;
      pub.bindings.forEach((row, r) => {
        if (row.length !== width) throw new ConfigError(`pubs[${i}].bindings[${r}].length`, row.length, `${width} like row 0`);
        row.forEach((v, k) => {
          if (!Number.isFinite(v)) throw new ConfigError(`pubs[${i}].bindings[${r}][${k}]`, v, "a finite number");
        });
      });
    }
    executions += (pub.bindings?.length ?? 1) * job.shots;
  });
  if (job.pubs.length > caps.maxPubsPerJob) {
    throw new CapabilityError(`a job holds at most ${caps.maxPubsPerJob} Pubs, got ${job.pubs.length}; split it`);
  }
  if (executions > caps.maxExecutionsPerJob) {
    throw new CapabilityError(`a job runs at most ${caps.maxExecutionsPerJob} circuit executions, got ${executions}; split it`);
  }
}
