export { LocalProvider, LOCAL_CAPABILITIES, LOCAL_COST_MODEL, type LocalProviderOptions } from "./local-provider.js";
export { IBM_COST_MODEL, IBM_CONFIRM_QPU_SECONDS } from "./ibm-cost.js";
export { fullyConnectedTarget } from "./ideal-target.js";
export { MAX_COMPONENT_QUBITS } from "./outcome-distribution.js";
export { IbmRuntimeProvider, ibmRuntimeCapabilities, samplerJobBody, IBM_MAX_BYTES_PER_JOB, type IbmRuntimeProviderOptions } from "./ibm-runtime-provider.js";
export { targetFromIbm, type IbmBackendConfiguration, type IbmBackendProperties, type IbmNduv } from "./ibm-target.js";
export {
  ibmCredentialsFromEnv,
  IBM_DEFAULT_API_VERSION,
  IBM_DEFAULT_IAM_URL,
  IBM_DEFAULT_QUANTUM_URL,
  IBM_IAM_URL_ENV,
  IBM_QUANTUM_URL_ENV,
  type IbmEndpoints,
} from "./ibm-config.js";
export { IbmRuntimeError, IBM_CRN_ENV, IBM_KEY_ENV, NON_ISA_ERROR_CODE } from "./ibm-errors.js";
export { decodeSamplerResults, hexToBits, samplerEncoding, type SamplerEncoding } from "./sampler-results.js";
export { readNpyUint8, type NpyUint8 } from "./npy.js";
export { DEFAULT_RETRY, type RetryPolicy } from "./http-retry.js";
export { IonqProvider, describeIonqCost, ionqCapabilities, ionqCostEstimate, IONQ_DEVICES, IONQ_MAX_BODY_BYTES, IONQ_MAX_CIRCUITS_PER_JOB, IONQ_MAX_GATES_PER_JOB, IONQ_SIMULATOR_MAX_QUBITS, type IonqCostEstimate, type IonqProviderOptions } from "./ionq-provider.js";
export type { PaidProviderOptions } from "./paid-provider-options.js";
export { ionqCredentialsFromEnv, IonqError, IONQ_DEFAULT_URL, IONQ_KEY_ENV, IONQ_URL_ENV } from "./ionq-rest.js";
export { targetFromIonq, type IonqBackend, type IonqCharacterization } from "./ionq-target.js";
export { ionqProgram, type IonqCircuit, type IonqGate, type IonqProgram } from "./ionq-circuits.js";
