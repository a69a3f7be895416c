import { readFileSync } from 'node:fs';
import { configFileSourcePath } from './config-files';

/**
 * The ClickHouse configuration CVAT's analytics store runs with, and how it reaches the container.
 *
 * The file (config/clickhouse/cvat-quiet.xml, its comment says why each line is there) removes every system log table
 * but `crash_log`, recomputes asynchronous metrics once a minute instead of every second, and logs warnings to the
 * console instead of trace lines to rotating files. The container gets it in an environment variable and a start
 * command that writes it into the image's `config.d` (merged over config.xml, ClickHouse/ClickHouse
 * src/Common/Config/ConfigProcessor.cpp `getConfigMergeFiles`) and then exec()s the image's entrypoint
 * (ClickHouse/ClickHouse docker/server/Dockerfile.alpine `ENTRYPOINT ["/entrypoint.sh"]`), so the server still starts
 * as the image starts it: the entrypoint creates the `CLICKHOUSE_USER` and exec()s clickhouse-server
 * (docker/server/entrypoint.sh). No share is mounted for it and drift sees it in the app's template.
 */
export const CLICKHOUSE_CONFIG = {
  /** The file, relative to packages/catalogue. */
  source: 'config/clickhouse/cvat-quiet.xml',
  /** Where the start command writes it. */
  target: '/etc/clickhouse-server/config.d/cvat-quiet.xml',
  /** The environment variable that carries it. */
  env: 'CVAT_CLICKHOUSE_CONFIG_XML',
  /** The image's entrypoint, exec()ed after the file is written. */
  entrypoint: '/entrypoint.sh',
} as const;

/**
 * The system log tables ClickHouse writes on a timer whatever the load (ClickHouse/ClickHouse programs/server/config.xml):
 * `metric_log`, `error_log` and `latency_log` every `collect_interval_milliseconds` (1000); `asynchronous_metric_log`
 * at every asynchronous metrics update; `text_log` with every server log line at its level (trace in the stock
 * configuration), which includes the lines about flushing and merging the other tables. Each flush writes a part,
 * which background merges and clean-ups then work on. The other system logs are written only when queries, inserts,
 * part changes, backups or crashes happen.
 */
export const CLICKHOUSE_TIMED_SYSTEM_LOGS = ['metric_log', 'asynchronous_metric_log', 'error_log', 'latency_log', 'text_log'] as const;

/**
 * `async_insert_threads` when unset (ClickHouse/ClickHouse src/Core/ServerSettings.h): that many threads each wake every
 * `async_insert_busy_timeout_ms` whether or not an asynchronous insert is queued (src/Interpreters/
 * AsynchronousInsertQueue.cpp `processBatchDeadlines`); 0 creates no queue (programs/server/Server.cpp).
 */
export const CLICKHOUSE_DEFAULT_ASYNC_INSERT_THREADS = 16;

/** `asynchronous_metrics_update_period_s` when unset (ClickHouse/ClickHouse programs/server/Server.cpp, `getUInt(..., 1)`). */
export const CLICKHOUSE_DEFAULT_ASYNC_METRICS_PERIOD_SECONDS = 1;

/**
 * Periods below this count as a timer that keeps ClickHouse busy: Container Apps bills a replica active in any minute
 * it uses 0.01 vCPU or more, and its metrics have a one-minute grain, so work done at most once a minute (a metrics pass
 * takes milliseconds) is assumed not to break idleness. Unverified on Azure; `cvat-ops idle` measures it.
 */
export const CLICKHOUSE_QUIET_PERIOD_SECONDS = 60;

let xmlText: string | undefined;

/**
 * The configuration as the container gets it: the file without its comments, whitespace between elements removed.
 */
export function clickhouseConfigXml(): string {
  xmlText ??= readFileSync(configFileSourcePath(CLICKHOUSE_CONFIG.source), 'utf8')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/>\s+</g, '><')
    .trim();
  return xmlText;
}

/**
 * The ClickHouse container's `command`: refuse to start without the configuration (an empty variable would leave an
 * empty, unparsable file in config.d), write it from {@link CLICKHOUSE_CONFIG}.env into config.d, then exec() the
 * image's entrypoint in the same process, so SIGTERM still reaches the server.
 */
export function clickhouseStartCommand(): string[] {
  const env = CLICKHOUSE_CONFIG.env;
  return [
    'sh',
    '-c',
    `: "\${${env}:?is empty: the ClickHouse configuration is missing}" && printf '%s\\n' "$${env}" > ${CLICKHOUSE_CONFIG.target} && ` +
      `exec ${CLICKHOUSE_CONFIG.entrypoint}`,
  ];
}

/** What a ClickHouse configuration leaves running on a timer, whatever the load. */
export interface ClickHouseTimedWork {
  /** Timed system log tables the configuration keeps (see {@link CLICKHOUSE_TIMED_SYSTEM_LOGS}). */
  readonly timedSystemLogs: readonly string[];
  /** `asynchronous_metrics_update_period_s` in effect. */
  readonly asyncMetricsPeriodSeconds: number;
  /** `async_insert_threads` in effect (0: no asynchronous insert queue). */
  readonly asyncInsertThreads: number;
  /** One line per timer that runs more often than {@link CLICKHOUSE_QUIET_PERIOD_SECONDS} or writes a table; empty when quiet. */
  readonly timers: readonly string[];
}

/**
 * Reads the timers a ClickHouse configuration override leaves running: the timed system logs it does not remove, the
 * asynchronous metrics period and the asynchronous insert queue's threads. `undefined` (no override) is the stock configuration, where all of them run.
 *
 * Reads only this package's own form of override (one element per line of the file, `remove="1"` on a removed table);
 * the tests parse the file with a real XML parser to keep the two in step.
 */
export function clickhouseTimedWork(xml: string | undefined): ClickHouseTimedWork {
  const text = xml ?? '';
  const removed = new Set([...text.matchAll(/<([a-z_]+)\s+remove="1"\s*\/>/g)].map((m) => m[1] as string));
  const timedSystemLogs = CLICKHOUSE_TIMED_SYSTEM_LOGS.filter((t) => !removed.has(t));
  const period = /<asynchronous_metrics_update_period_s>\s*(\d+)\s*<\/asynchronous_metrics_update_period_s>/.exec(text)?.[1];
  const asyncMetricsPeriodSeconds = period === undefined ? CLICKHOUSE_DEFAULT_ASYNC_METRICS_PERIOD_SECONDS : Number(period);
  const threads = /<async_insert_threads>\s*(\d+)\s*<\/async_insert_threads>/.exec(text)?.[1];
  const asyncInsertThreads = threads === undefined ? CLICKHOUSE_DEFAULT_ASYNC_INSERT_THREADS : Number(threads);
  const timers = [
    ...timedSystemLogs.map((t) => `system.${t} written on a timer`),
    ...(asyncMetricsPeriodSeconds < CLICKHOUSE_QUIET_PERIOD_SECONDS ? [`asynchronous metrics every ${asyncMetricsPeriodSeconds} s`] : []),
    ...(asyncInsertThreads > 0 ? [`${asyncInsertThreads} asynchronous insert queue threads polling their deadlines`] : []),
  ];
  return { timedSystemLogs, asyncMetricsPeriodSeconds, asyncInsertThreads, timers };
}
