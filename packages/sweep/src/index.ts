/** Sweeps: grids of training runs, the processes that run them, their statistics, plots and report. */
export { loadExperimentModule, type ExperimentConfig, type ExperimentModule, type RunOptions, type RunRecord } from "./experiment.js";
export { parseList, parseAList, parseGList, parseSeedList, expandCells, cellKey, formatG, type Cell, type SweepGrid } from "./grid.js";
export { parseSweepPlan, loadSweepFile, resolveGrids, cellConfig, settingsOf, configDiff, SETTING_KEYS, type SweepConfig, type SweepPlan, type SweepSettings, type PartialGrid } from "./config.js";
export { PRESETS, PAPER_A, PAPER_G, presetPlan } from "./presets.js";
export { summarize, summaryCsv, SUMMARY_COLUMNS, type SummaryRow, type SeedStat, type CellResult } from "./summary.js";
export {
  computeFindings, estimateCriticalG, halfwayCrossing, selectCurve, advantage, isClassical,
  type Findings, type MetricFindings, type CurveFindings, type CriticalG, type Advantage, type PointStat, type Curve, type Metric,
} from "./findings.js";
export { runSweep, prepareDirectory, readManifest, readRecords, readExecutorRecord, writeAggregates, type ExecutorRecord, type SweepManifest, type CellRecord, type RunSweepOptions, type SweepOutcome, type TimingRun } from "./runner.js";
export { writeReport, reportHtml, findingsLines, softwareInfo, type ReportResult } from "./report.js";
export { buildPlots, renderSvg, svgToPng, writePlots, type Plot } from "./plots.js";
/** A Vega-Lite specification, as renderSvg takes it. */
export type { TopLevelSpec as PlotSpec } from "vega-lite";
export { StderrSweepDisplay, silentDisplay, type SweepDisplay, type CellProgress, type StatusOutput } from "./display.js";
export { cellDir, cellFiles, cellFinished, readCellResult, runCell, type CellOutcome } from "./cell.js";
export { createExecutor, EXECUTORS, EXECUTOR_NAMES, holderAlive, isExecutorName, loadExecutor, type ExecutorName, type ExecutorOptions, type ExecutorPlugin } from "./executors.js";
export type { SweepExecutor, EngineCellState, ExecuteRequest, ExecuteReport } from "./executor.js";
export { LocalExecutor, type LocalOptions } from "./local.js";
export { SlurmExecutor, readSubmissions, type Submission, type SlurmExecutorOptions } from "./slurm/executor.js";
export { arraySpec, batchScript, validateSlurmOptions, type SlurmOptions } from "./slurm/script.js";
export { lockDirectory, lockSweepDirectory, processAlive, processStart, takeLock, type Holder } from "./lock.js";
export { sweepStatus, statusLines, type SweepStatus, type CellStatus, type CellState } from "./status.js";
