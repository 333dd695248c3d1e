import { CapabilityError } from "@natural-quantization/core";
import type { CircuitJob, ProviderCapabilities, Pub } from "./provider.js";
import { unitsPerBlock, type LayerLayout } from "./layer-circuits.js";

/**
 * Job packing, in one place: how a layer's blocks become one logical job (a template with one
 * binding row per block, or one concrete Pub per block), how many units one layer call carries,
 * and how a logical job is split into device jobs under the provider's limits. The device layer,
 * the providers and the cost estimate all pack by these functions.
 */

/** What a provider charges for work, in its cost model's unit (see CostModel). */
export interface Charge {
  readonly amount: number;
  /** e.g. "QPU seconds" or "circuit executions". */
  readonly unit: string;
  /** false for a free provider (a local simulator). */
  readonly paid: boolean;
  /** A paid run needs the user's confirmation once its charges pass this (in `unit`). */
  readonly confirmAbove: number;
}

/** What a job costs on a device, for printing before it is submitted. */
export interface CostEstimate {
  /** Device jobs the work is split into. */
  readonly jobs: number;
  readonly pubs: number;
  /** Circuits after binding: the sum over Pubs of their parameter rows. */
  readonly circuits: number;
  /** Circuit executions: circuits x shots. */
  readonly shots: number;
  /** The provider's own estimate in its cost model's unit, where a cost model priced the job. */
  readonly charge?: Charge;
}

/** Units one neuronLayer call carries at most: bounds the Trainer's batch buffers. */
const MAX_UNITS_PER_CALL = 1 << 21;

/** Blocks one device job takes: binding rows of one template (one shot each), or concrete Pubs. */
export function blocksPerJob(caps: ProviderCapabilities, bindings: boolean): number {
  return bindings ? caps.maxExecutionsPerJob : caps.maxPubsPerJob;
}

/**
 * Units one layer call should carry: as many blocks as one job of the provider takes, capped so
 * the Trainer's buffers stay small.
 */
export function unitsPerCall(layout: LayerLayout, caps: ProviderCapabilities, bindings: boolean): number {
  return Math.max(1, Math.min(MAX_UNITS_PER_CALL, unitsPerBlock(layout) * blocksPerJob(caps, bindings)));
}

/**
 * The shape of a layer call's logical job of `blocks` blocks, one shot each: one Pub with a row
 * per block, or a Pub per block. `pub(b)` gives block b's program (b = -1: the template).
 */
export function layerJobOf(blocks: number, bindings: boolean, pub: (block: number) => Pub): CircuitJob {
  if (bindings) return { pubs: [pub(-1)], shots: 1 };
  return { pubs: Array.from({ length: blocks }, (_, b) => pub(b)), shots: 1 };
}

/** The bytes a Pub adds to a job request: its program and its parameter rows as JSON, plus the brackets around them. */
export function pubBytes(pub: Pub): number {
  return pub.program.length + (pub.bindings === null ? 4 : JSON.stringify(pub.bindings).length) + 16;
}

/**
 * Splits a job into device jobs that respect the provider's limits (Pubs, executions and request
 * bytes per job), keeping Pub order: concatenating the parts' results gives the whole job's results.
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
