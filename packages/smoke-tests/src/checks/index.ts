/** Every check of the suite, in report order. */
import type { CheckDefinition } from '../runner/types';
import { analyticsEvents } from './analytics';
import { annotationsRoundtrip } from './annotations';
import { authLogin, opaAuthz } from './auth';
import { chunksMedia } from './chunks';
import { consensusMerge } from './consensus';
import { exportBackup, exportDatasetCheck } from './export';
import { importBackup, importTaskData } from './import';
import { qualityReport } from './quality';
import { healthLineChecks, serverAbout, serverHealth } from './server';
import { uiIndex } from './ui';
import { webhooksDelivery } from './webhooks';
import { workersAnnotation, workersUtils } from './workers';

/** All checks (issue 6 items 1–11). */
export const ALL_CHECKS: readonly CheckDefinition[] = [
  serverAbout,
  serverHealth,
  ...healthLineChecks,
  uiIndex,
  authLogin,
  opaAuthz,
  importTaskData,
  chunksMedia,
  annotationsRoundtrip,
  exportDatasetCheck,
  exportBackup,
  importBackup,
  webhooksDelivery,
  qualityReport,
  consensusMerge,
  analyticsEvents,
  workersUtils,
  workersAnnotation,
];
