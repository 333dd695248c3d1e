export { main, buildProgram, cliVersion, DEFAULT_EPOCHS } from "./main.js";
export { runExperiment, compose, type ExperimentConfig, type RunRecord } from "./experiment.js";
export { loadBackend, installedBackends, KNOWN_BACKENDS, DEFAULT_BACKEND } from "./backends.js";
export { formatTable } from "./table.js";
