/**
 * The quantum-hardware backend is not written yet; see README.md for what will come.
 * The package exists so the workspace layout is complete; it exports nothing to use.
 */
export const HARDWARE_BACKEND_STATUS = "not implemented" as const;
