import { backendConformance } from "@natural-quantization/core/conformance";
import { WasmBackend } from "../src/wasm-backend.js";

// float32 linear algebra and float64 neurons: outcomes may differ from the float64 reference
// only where summation order moves a pre-activation across a decision boundary.
backendConformance("sim-wasm", () => new WasmBackend(), { outcomeAgreement: 0.999, tolerance: 1e-4 });
backendConformance("sim-wasm", () => new WasmBackend({ threads: 1 }), { outcomeAgreement: 0.999, tolerance: 1e-4 });
