import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  UPSTREAM_VECTOR_TOML,
  configFileSourcePath,
  configFilesToUpload,
  defaultCatalogue,
  parseEnvironmentConfig,
  resolveCatalogue,
} from '../src/index';

describe('config files shipped with the catalogue', () => {
  const c = defaultCatalogue();
  const files = c.components.flatMap((x) => x.configFiles.map((f) => ({ component: x.name, ...f })));

  it('exist in the repository for every component, enabled or not', () => {
    expect(files.length).toBe(4);
    for (const f of files) expect(existsSync(configFileSourcePath(f.source)), f.source).toBe(true);
  });

  it('lists only the files of enabled components for upload', () => {
    expect(configFilesToUpload(c).map((f) => f.component)).toEqual(['vector']);
    const cfg = parseEnvironmentConfig({
      name: 'dev',
      grafana: true,
      adminCidrs: ['203.0.113.0/24'],
      edge: { acmeEmail: 'ops@cvat-cloud.dev' },
    }).value!;
    expect(configFilesToUpload(resolveCatalogue(cfg).value!).map((f) => f.path)).toEqual([
      'vector/vector.toml',
      'grafana/provisioning/datasources/ds.yaml',
      'grafana/provisioning/dashboards/dashboard.yaml',
      'grafana/dashboards/all_events.json',
    ]);
  });

  it('vector.toml listens where Django sends events and writes to the ClickHouse app with the env credentials', () => {
    const toml = readFileSync(configFileSourcePath('config/vector/vector.toml'), 'utf8');
    const vector = c.components.find((x) => x.name === 'vector')!;
    expect(toml).toMatch(/^\[sources\.http-events\]\ntype = "http_server"\naddress = "0\.0\.0\.0:(\d+)"/m);
    expect(toml.match(/address = "0\.0\.0\.0:(\d+)"/)?.[1]).toBe(String(vector.ingress?.targetPort));
    expect(toml).toContain('type = "clickhouse"');
    expect(toml).toContain('endpoint = "http://${CLICKHOUSE_HOST}:${CLICKHOUSE_PORT}"');
    expect(toml).toContain('auth.password = "${CLICKHOUSE_PASSWORD}"');
    expect(toml).toContain('data_dir = "/vector-data-dir"');
    for (const name of ['CLICKHOUSE_HOST', 'CLICKHOUSE_PORT', 'CLICKHOUSE_DB', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD']) {
      expect(
        vector.env.map((e) => e.name),
        name,
      ).toContain(name);
    }
    expect(vector.mounts.map((m) => m.mountPath)).toContain('/vector-data-dir');
  });

  it("vector.toml is upstream's v2.73.0 file byte for byte below its comment header (remote_addr kept, default batch timeout)", () => {
    const upstream = readFileSync(configFileSourcePath(UPSTREAM_VECTOR_TOML.path));
    expect(createHash('sha256').update(upstream).digest('hex')).toBe(UPSTREAM_VECTOR_TOML.sha256);
    const ours = readFileSync(configFileSourcePath('config/vector/vector.toml'), 'utf8');
    const header = /^(#[^\n]*\n)+\n/.exec(ours)?.[0] ?? '';
    expect(header.length).toBeGreaterThan(0);
    expect(ours.slice(header.length)).toBe(upstream.toString('utf8'));
    expect(ours).toMatch(/^\s+"remote_addr",$/m);
    expect(ours).not.toMatch(/^\s*batch\./m);
  });

  it('vector.toml sends exactly the columns of the v2.73.0 events table (init.py migrations 000-002)', () => {
    // cvat-ai/cvat@v2.73.0 components/analytics/clickhouse/init.py: migration_000_initial's columns,
    // then access_token_id (001) and remote_addr (002).
    const columns = [
      'scope',
      'obj_name',
      'obj_id',
      'obj_val',
      'source',
      'timestamp',
      'count',
      'duration',
      'project_id',
      'task_id',
      'job_id',
      'user_id',
      'user_name',
      'user_email',
      'org_id',
      'org_slug',
      'payload',
      'access_token_id',
      'remote_addr',
    ];
    const toml = readFileSync(configFileSourcePath('config/vector/vector.toml'), 'utf8');
    const list = /encoding\.only_fields = \[([^\]]*)\]/.exec(toml)?.[1] ?? '';
    expect([...list.matchAll(/"([a-z_]+)"/g)].map((m) => m[1])).toEqual(columns);
  });

  it('Grafana provisioning files parse and point at the mounted dashboards', () => {
    const ds = parse(readFileSync(configFileSourcePath('config/grafana/provisioning/datasources/ds.yaml'), 'utf8'));
    expect(ds.datasources[0].type).toBe('grafana-clickhouse-datasource');
    const provider = parse(readFileSync(configFileSourcePath('config/grafana/provisioning/dashboards/dashboard.yaml'), 'utf8'));
    const grafana = c.components.find((x) => x.name === 'grafana')!;
    expect(grafana.mounts.map((m) => m.mountPath)).toContain(provider.providers[0].options.path);
    expect(JSON.parse(readFileSync(configFileSourcePath('config/grafana/dashboards/all_events.json'), 'utf8')).title).toBe('All events');
  });
});
