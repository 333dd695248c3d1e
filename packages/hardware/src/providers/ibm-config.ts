import { ConfigError, UserError } from "@natural-quantization/core";
import { IBM_CRN_ENV, IBM_KEY_ENV } from "./ibm-errors.js";

export const IBM_QUANTUM_URL_ENV = "IBM_QUANTUM_URL";
export const IBM_IAM_URL_ENV = "IBM_IAM_URL";
/** IBM Quantum's API root (us-east); other regions: https://<region>.quantum.cloud.ibm.com/api/v1. */
export const IBM_DEFAULT_QUANTUM_URL = "https://quantum.cloud.ibm.com/api/v1";
export const IBM_DEFAULT_IAM_URL = "https://iam.cloud.ibm.com";
/** The `IBM-API-Version` date sent with every request (the one qiskit-ibm-runtime sends as of 2026). */
export const IBM_DEFAULT_API_VERSION = "2026-04-15";

/** Where and as whom to connect. The API key is not part of it: it goes straight to the token source. */
export interface IbmEndpoints {
  readonly quantumUrl: string;
  readonly iamUrl: string;
  readonly serviceCrn: string;
}

/**
 * Reads the credentials from the environment only (never from a file or an argument), and the
 * endpoints, which IBM_QUANTUM_URL / IBM_IAM_URL may override (a regional endpoint, or a local
 * test server). Plain http is accepted only for 127.0.0.1 / localhost, so a key never travels
 * unencrypted.
 */
export function ibmCredentialsFromEnv(env: NodeJS.ProcessEnv): { apiKey: string; endpoints: IbmEndpoints } {
  const apiKey = env[IBM_KEY_ENV]?.trim() ?? "";
  if (apiKey === "") {
    throw new UserError(`${IBM_KEY_ENV} is not set; export an IBM Cloud API key in the environment (it is read from nowhere else)`);
  }
  const serviceCrn = env[IBM_CRN_ENV]?.trim() ?? "";
  if (!serviceCrn.startsWith("crn:")) {
    throw new ConfigError(IBM_CRN_ENV, serviceCrn === "" ? "(not set)" : "(not a CRN)", "the CRN of your IBM Quantum instance, crn:v1:bluemix:public:quantum-computing:...");
  }
  return {
    apiKey,
    endpoints: {
      quantumUrl: endpoint(env, IBM_QUANTUM_URL_ENV, IBM_DEFAULT_QUANTUM_URL),
      iamUrl: endpoint(env, IBM_IAM_URL_ENV, IBM_DEFAULT_IAM_URL),
      serviceCrn,
    },
  };
}

function endpoint(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, raw, "an absolute URL such as " + fallback);
  }
  const local = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    throw new ConfigError(name, raw, "an https:// URL (plain http only for 127.0.0.1 or localhost)");
  }
  return raw.replace(/\/+$/, "");
}
