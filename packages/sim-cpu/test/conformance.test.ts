import { backendConformance } from "@natural-quantization/core/conformance";
import { CpuBackend } from "../src/cpu-backend.js";

// The reference backend computes exactly what the reference chain computes: every outcome agrees.
backendConformance("sim-cpu", () => new CpuBackend(), { outcomeAgreement: 1, tolerance: 1e-5 });
