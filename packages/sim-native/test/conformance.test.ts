import { backendConformance } from "@natural-quantization/core/conformance";
import { NativeBackend } from "../src/native-backend.js";

// float32 linear algebra and float64 neurons, as sim-wasm: outcomes may differ from the float64
// reference only where summation order moves a pre-activation across a decision boundary.
backendConformance("sim-native", () => new NativeBackend(), { outcomeAgreement: 0.999, tolerance: 1e-4 });
backendConformance("sim-native", () => new NativeBackend({ threads: 1 }), { outcomeAgreement: 0.999, tolerance: 1e-4 });
backendConformance("sim-native", () => new NativeBackend({ threads: 3 }), { outcomeAgreement: 0.999, tolerance: 1e-4 });
