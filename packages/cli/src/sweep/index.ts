/** nq sweep, nq report and nq reproduce: grids of training runs, their statistics, plots and report. */
export { registerSweepCommands, resolveSweepConfig, defaultBackend, DEFAULT_SEEDS, type SweepCliOptions } from "./commands.js";
export { parseList, parseAList, parseGList, parseSeedList, expandCells, cellKey, formatG, type Cell, type SweepGrid } from "./grid.js";
export { parseSweepPlan, loadSweepFile, resolveGrids, cellConfig, settingsOf, configDiff, type SweepConfig, type SweepPlan, type SweepSettings, type PartialGrid } from "./config.js";
export { PRESETS, PAPER_A, PAPER_G, presetPlan } from "./presets.js";
export { summarize, summaryCsv, SUMMARY_COLUMNS, type SummaryRow, type SeedStat, type CellResult } from "./summary.js";
export {
  computeFindings, estimateCriticalG, halfwayCrossing, selectCurve, advantage, isClassical,
  type Findings, type MetricFindings, type CurveFindings, type CriticalG, type Advantage, type PointStat, type Curve, type Metric,
} from "./findings.js";
export { runSweep, prepareDirectory, readManifest, readRecords, writeAggregates, type SweepManifest, type CellRecord, type RunSweepOptions, type SweepOutcome, type TimingRun } from "./runner.js";
export { writeReport, reportHtml, findingsLines, softwareInfo, type ReportResult } from "./report.js";
export { buildPlots, renderSvg, svgToPng, writePlots, type Plot } from "./plots.js";
export { StderrSweepDisplay, silentDisplay, type SweepDisplay, type CellProgress } from "./display.js";
export { cellDir, cellFiles, runCell, type CellOutcome } from "./cell.js";
export { createExecutor, EXECUTORS, EXECUTOR_NAMES, holderAlive, type ExecutorName, type ExecutorOptions } from "./executors.js";
export type { SweepExecutor, EngineCellState, ExecuteRequest, ExecuteReport } from "./executor.js";
export { LocalExecutor, type LocalOptions } from "./local.js";
export { SlurmExecutor, readSubmissions, type Submission, type SlurmExecutorOptions } from "./slurm/executor.js";
export { arraySpec, batchScript, validateSlurmOptions, type SlurmOptions } from "./slurm/script.js";
export { lockSweepDirectory, takeLock, type Holder } from "./lock.js";
export { sweepStatus, statusLines, type SweepStatus, type CellStatus, type CellState } from "./status.js";
