// Helpers shared by the catalogue rule families.
import { RQ_QUEUES } from '../../data/rq-queues';
import { parseRqRunner } from '../../derivations/rq-runner';
import type { Catalogue, Component, EnvVar } from '../../schema/catalogue';

export const APP_NAME_RE = /^[a-z][a-z0-9-]*[a-z0-9]$/;
export const STORAGE_NAME_RE = /^[a-z][a-z0-9-]*[a-z0-9]$/;
export const SECRET_NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const KEY_VAULT_SECRET_NAME_RE = /^[0-9A-Za-z-]+$/;
export const UNPINNED_TAGS = ['latest', 'dev', 'develop', 'main', 'master', 'nightly', 'edge', 'stable'];
export const SENSITIVE_ENV_RE = /(PASSWORD|PASSWD|SECRET|SECRET_KEY|TOKEN|ACCESS_KEY)$/;

export function cpath(c: Component, rest?: string): string {
  return rest ? `components.${c.name}.${rest}` : `components.${c.name}`;
}
export function enabled(c: Catalogue): Component[] {
  return c.components.filter((x) => x.enabled);
}
export function findEnv(c: Component, name: string): { env: EnvVar; index: number } | undefined {
  const index = c.env.findIndex((e) => e.name === name);
  return index === -1 ? undefined : { env: c.env[index] as EnvVar, index };
}
/** Whether a component runs the CVAT backend image (server, workers, init job). */
export function isCvatBackend(c: Component): boolean {
  return c.image.repository === 'cvat/server';
}
/** Whether the component's supervisord starts smokescreen (server and the annotation, chunks, export, import and webhooks workers). */
export function runsSmokescreen(c: Component): boolean {
  if (!isCvatBackend(c)) return false;
  const runner = parseRqRunner(c.command, c.args);
  if (runner) return runner.queues.some((q) => RQ_QUEUES[q]?.smokescreen === true);
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  const run = args.indexOf('run');
  if (run === -1) return false;
  if (args[run + 1] === 'server') return true;
  if (args[run + 1] === 'worker') return c.queues.some((q) => RQ_QUEUES[q]?.smokescreen === true);
  return false;
}
/** Whether the component runs an RQ scheduler (webhooks `--with-scheduler`, or rqscheduler with `cleaning`). */
export function runsScheduler(c: Component): boolean {
  return [...(c.command ?? []), ...(c.args ?? [])].includes('--with-scheduler') || c.queues.includes('cleaning');
}
export function isMultipleOf(value: number, step: number): boolean {
  const q = value / step;
  return Math.abs(q - Math.round(q)) < 1e-9;
}
export function envKind(e: EnvVar): string {
  if ('secretRef' in e) return `secretRef ${JSON.stringify(e.secretRef)}`;
  if ('componentRef' in e) return `componentRef ${e.componentRef.component}.${e.componentRef.part}`;
  if ('platformRef' in e) return `platformRef ${e.platformRef}`;
  return JSON.stringify(e.value);
}
