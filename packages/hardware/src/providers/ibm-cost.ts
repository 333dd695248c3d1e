import { circuitDuration } from "../circuit-duration.js";
import type { CostModel, CostedWork } from "../provider.js";

/**
 * Estimated QPU seconds from which a run on IBM Quantum needs `--yes`. IBM bills QPU time, and a
 * run's estimate is summed job by job before each is submitted: one second lets a check of a few
 * images through (100 images x 3 shots of a width-8 layer on six qubits is 0.1 s) and stops any
 * real evaluation at its first job until the user has seen its cost.
 */
export const IBM_CONFIRM_QPU_SECONDS = 1;

/**
 * IBM bills QPU time: each execution (binding row x shot) takes the target's repetition delay
 * (configuration default_rep_delay) plus the compiled circuit's duration (properties gate_length
 * and readout_length, scheduled as soon as possible; see circuitDuration). The estimate leaves out
 * the service's fixed per-job overhead, so the seconds the jobs' metrics later report are larger.
 */
export const IBM_COST_MODEL: CostModel = {
  unit: "QPU seconds",
  paid: true,
  confirmAbove: IBM_CONFIRM_QPU_SECONDS,
  description: "executions x (repetition delay + circuit duration), from the device's configuration and properties",
  estimate({ job, circuits, target }: CostedWork): number {
    const repDelay = target.repDelay ?? 0;
    let seconds = 0;
    job.pubs.forEach((pub, p) => {
      const executions = (pub.bindings?.length ?? 1) * job.shots;
      seconds += executions * (repDelay + circuitDuration(circuits[p], target));
    });
    return seconds;
  },
};
