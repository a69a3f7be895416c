// The ClickHouse configuration override: the shipped file read by a real XML parser (python3's xml.etree), the timers
// it leaves as the cost estimator reads them, and the start command run with sh against a stand-in entrypoint.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLICKHOUSE_CONFIG,
  CLICKHOUSE_TIMED_SYSTEM_LOGS,
  clickhouseConfigXml,
  clickhouseStartCommand,
  clickhouseTimedWork,
} from '../src/data/clickhouse-config';
import { configFileSourcePath } from '../src/data/config-files';

const PYTHON = spawnSync('python3', ['--version']).status === 0;
if (!PYTHON) console.warn('[skipped] ClickHouse configuration XML parsing: python3 is not on PATH on this machine');

/** Parses XML text with python3's xml.etree and returns what ClickHouse's merge would act on. */
interface Parsed {
  root: string;
  removed: string[];
  period: string | null;
  threads: string | null;
  logger: Record<string, string | null>;
}

function parseWithPython(xml: string): Parsed {
  const script = [
    'import json, sys, xml.etree.ElementTree as ET',
    'root = ET.fromstring(sys.stdin.read())',
    'removed = sorted(e.tag for e in root if e.get("remove") == "1")',
    'p = root.find("asynchronous_metrics_update_period_s")',
    't = root.find("async_insert_threads")',
    'logger = root.find("logger")',
    'lg = {} if logger is None else {c.tag: (c.get("remove") and "removed") or (c.text or "").strip() for c in logger}',
    'print(json.dumps({"root": root.tag, "removed": removed, "period": None if p is None else p.text.strip(),' +
      ' "threads": None if t is None else t.text.strip(), "logger": lg}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: xml, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 could not parse the XML: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const fileText = readFileSync(configFileSourcePath(CLICKHOUSE_CONFIG.source), 'utf8');

describe.skipIf(!PYTHON)('config/clickhouse/cvat-quiet.xml (python3 xml.etree)', () => {
  it('is well-formed, rooted at <clickhouse>, and removes every timed system log but keeps crash_log', () => {
    const parsed = parseWithPython(fileText);
    expect(parsed.root).toBe('clickhouse');
    for (const t of CLICKHOUSE_TIMED_SYSTEM_LOGS) expect(parsed.removed).toContain(t);
    expect(parsed.removed).not.toContain('crash_log');
    expect(Number(parsed.period)).toBeGreaterThanOrEqual(60);
    expect(parsed.threads).toBe('0');
  });

  it('logs warnings to the console and writes no log files', () => {
    expect(parseWithPython(fileText).logger).toEqual({ level: 'warning', console: '1', log: 'removed', errorlog: 'removed' });
  });

  it('is read by clickhouseTimedWork exactly as the parser reads it', () => {
    const parsed = parseWithPython(fileText);
    const work = clickhouseTimedWork(fileText);
    expect(work.timedSystemLogs).toEqual(CLICKHOUSE_TIMED_SYSTEM_LOGS.filter((t) => !parsed.removed.includes(t)));
    expect(work.asyncMetricsPeriodSeconds).toBe(Number(parsed.period));
    expect(work.asyncInsertThreads).toBe(Number(parsed.threads));
  });

  it('keeps its meaning once comments and whitespace are stripped for the container', () => {
    const compact = clickhouseConfigXml();
    expect(compact).not.toContain('<!--');
    expect(compact).not.toMatch(/>\s+</);
    expect(parseWithPython(compact)).toEqual(parseWithPython(fileText));
  });
});

describe('clickhouseTimedWork', () => {
  it('leaves nothing on a timer with the shipped configuration', () => {
    expect(clickhouseTimedWork(clickhouseConfigXml()).timers).toEqual([]);
  });

  it('counts every timed system log and the one-second metrics pass in the stock configuration (no override)', () => {
    const stock = clickhouseTimedWork(undefined);
    expect(stock.timedSystemLogs).toEqual([...CLICKHOUSE_TIMED_SYSTEM_LOGS]);
    expect(stock.asyncMetricsPeriodSeconds).toBe(1);
    expect(stock.timers).toContain('asynchronous metrics every 1 s');
    expect(stock.timers).toContain('16 asynchronous insert queue threads polling their deadlines');
    expect(stock.timers).toHaveLength(CLICKHOUSE_TIMED_SYSTEM_LOGS.length + 2);
  });

  it('names a timed log the override keeps and a metrics period under a minute', () => {
    const kept = clickhouseConfigXml()
      .replace('<metric_log remove="1"/>', '')
      .replace(/<asynchronous_metrics_update_period_s>\d+</, '<asynchronous_metrics_update_period_s>10<')
      .replace('<async_insert_threads>0<', '<async_insert_threads>2<');
    expect(clickhouseTimedWork(kept).timers).toEqual([
      'system.metric_log written on a timer',
      'asynchronous metrics every 10 s',
      '2 asynchronous insert queue threads polling their deadlines',
    ]);
  });
});

describe('clickhouseStartCommand (sh, stand-in entrypoint)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cvat-clickhouse-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the configuration from the environment into config.d, then exec()s the entrypoint in the same process', () => {
    const target = join(dir, 'cvat-quiet.xml');
    const entrypoint = join(dir, 'entrypoint.sh');
    writeFileSync(entrypoint, `#!/bin/sh\necho "pid=$$ args=$#"\n`);
    chmodSync(entrypoint, 0o755);
    const [shell, flag, script] = clickhouseStartCommand();
    expect([shell, flag]).toEqual(['sh', '-c']);
    expect(script).toContain(CLICKHOUSE_CONFIG.target);
    const runnable = (script as string).replace(CLICKHOUSE_CONFIG.target, target).replace(CLICKHOUSE_CONFIG.entrypoint, entrypoint);
    const r = spawnSync('sh', ['-c', runnable], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [CLICKHOUSE_CONFIG.env]: clickhouseConfigXml() },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(`${clickhouseConfigXml()}\n`);
    expect(r.stdout.trim()).toBe(`pid=${r.pid} args=0`);
  });

  it('does not start the server, and writes nothing, when the variable is empty or unset', () => {
    const [, , script] = clickhouseStartCommand();
    const entrypoint = join(dir, 'never-empty.sh');
    writeFileSync(entrypoint, '#!/bin/sh\necho started\n');
    chmodSync(entrypoint, 0o755);
    const target = join(dir, 'empty.xml');
    const runnable = (script as string).replace(CLICKHOUSE_CONFIG.target, target).replace(CLICKHOUSE_CONFIG.entrypoint, entrypoint);
    for (const env of [{ [CLICKHOUSE_CONFIG.env]: '' }, {}]) {
      const r = spawnSync('sh', ['-c', runnable], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stdout).not.toContain('started');
      expect(r.stderr).toContain(`${CLICKHOUSE_CONFIG.env}: is empty: the ClickHouse configuration is missing`);
      expect(existsSync(target)).toBe(false);
    }
  });

  it('does not start the server when the file cannot be written', () => {
    const [, , script] = clickhouseStartCommand();
    const entrypoint = join(dir, 'never.sh');
    writeFileSync(entrypoint, '#!/bin/sh\necho started\n');
    chmodSync(entrypoint, 0o755);
    const runnable = (script as string)
      .replace(CLICKHOUSE_CONFIG.target, join(dir, 'missing-dir', 'x.xml'))
      .replace(CLICKHOUSE_CONFIG.entrypoint, entrypoint);
    const r = spawnSync('sh', ['-c', runnable], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [CLICKHOUSE_CONFIG.env]: '<x/>' },
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('started');
  });
});
