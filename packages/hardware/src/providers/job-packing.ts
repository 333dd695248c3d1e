import { CapabilityError } from "@natural-quantization/core";
import type { CircuitJob, ProviderCapabilities, Pub } from "../provider.js";

/** What a job costs on a device, for printing before it is submitted. */
export interface CostEstimate {
  /** Device jobs the work is split into. */
  readonly jobs: number;
  readonly pubs: number;
  /** Circuits after binding: the sum over Pubs of their parameter rows. */
  readonly circuits: number;
  /** Circuit executions: circuits x shots. */
  readonly shots: number;
}

/** The bytes a Pub adds to a job request: its program and its parameter rows as JSON, plus the brackets around them. */
export function pubBytes(pub: Pub): number {
  return pub.program.length + (pub.bindings === null ? 4 : JSON.stringify(pub.bindings).length) + 16;
}

/**
 * Splits a job into device jobs that respect the provider's limits (Pubs, executions and request
 * bytes per job), keeping Pub order: concatenating the parts' results gives the whole job's results.
 * This is the one place jobs are packed.
 */
export function packJobs(job: CircuitJob, caps: ProviderCapabilities): CircuitJob[] {
  const parts: CircuitJob[] = [];
  let current: Pub[] = [];
  let executions = 0;
  let bytes = 0;
  job.pubs.forEach((pub, i) => {
    const pubExecutions = (pub.bindings?.length ?? 1) * job.shots;
    if (pubExecutions > caps.maxExecutionsPerJob) {
      throw new CapabilityError(
        `pubs[${i}] alone needs ${pubExecutions} executions (rows x shots), more than the ${caps.maxExecutionsPerJob} one job may run; use fewer rows or shots`,
      );
    }
    const size = pubBytes(pub);
    if (size > caps.maxBytesPerJob) {
      throw new CapabilityError(`pubs[${i}] alone is ${size} bytes, more than the ${caps.maxBytesPerJob} one job request may carry; use fewer parameter rows per block`);
    }
    if (current.length === caps.maxPubsPerJob || executions + pubExecutions > caps.maxExecutionsPerJob || bytes + size > caps.maxBytesPerJob) {
      parts.push({ pubs: current, shots: job.shots });
      current = [];
      executions = 0;
      bytes = 0;
    }
    current.push(pub);
    executions += pubExecutions;
    bytes += size;
  });
  if (current.length > 0) parts.push({ pubs: current, shots: job.shots });
  return parts;
}

/** Jobs, Pubs, circuits and shots a job will use on a provider with these limits. */
export function estimateCost(job: CircuitJob, caps: ProviderCapabilities): CostEstimate {
  const circuits = job.pubs.reduce((n, p) => n + (p.bindings?.length ?? 1), 0);
  return { jobs: packJobs(job, caps).length, pubs: job.pubs.length, circuits, shots: circuits * job.shots };
}

/** "3 jobs, 120 PUBs, 1920 circuits, 1920 shots" */
export function describeCost(cost: CostEstimate): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(cost.jobs, "job")}, ${plural(cost.pubs, "PUB")}, ${plural(cost.circuits, "circuit")}, ${plural(cost.shots, "shot")}`;
}
