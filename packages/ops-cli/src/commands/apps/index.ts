export type { AppsDeleteOptions, AppsRestartOptions, AppsRecreateOptions, AppsDeps, SpawnRunner } from './options';
export { appsDelete, type AppsDeleteData, type DeleteResult, type DeleteOutcome } from './delete';
export { appsRestart, type AppsRestartData } from './restart';
export { appsRecreate, readSynthIndex, resolveRecreateTarget, type AppsRecreateData, type RecreateTarget } from './recreate';
