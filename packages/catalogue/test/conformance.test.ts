import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  UPSTREAM_COMPOSE,
  UPSTREAM_DEVIATIONS,
  UPSTREAM_REPLACEMENTS,
  compareWithCompose,
  defaultCatalogue,
  explainDifferences,
  interpolateCompose,
  OPA_BUNDLE_POLLING,
  parseEnvironmentConfig,
  parseRqRunner,
  platformValue,
  type UpstreamDeviation,
} from '../src/index';
import { changed, comp } from './support/catalogue';

const COMPOSE_PATH = resolve(__dirname, '..', UPSTREAM_COMPOSE.path);
// The shared reference copy next to the repository, when this checkout has one.
const SHARED_COPY = resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'cvat-v2.73.0', 'docker-compose.yml');
if (!existsSync(SHARED_COPY))
  console.warn(`[skipped] compose comparison with the shared reference copy: ${SHARED_COPY} does not exist in this checkout`);
const composeText = readFileSync(COMPOSE_PATH, 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, { image: string; command?: string | string[] }> };

describe('the vendored upstream compose file', () => {
  it('is the unmodified v2.73.0 file', () => {
    expect(createHash('sha256').update(readFileSync(COMPOSE_PATH)).digest('hex')).toBe(UPSTREAM_COMPOSE.sha256);
  });

  it.skipIf(!existsSync(SHARED_COPY))(
    'is identical to the shared reference copy (skipped when the maintainers reference copy is absent)',
    () => {
      expect(readFileSync(COMPOSE_PATH, 'utf8')).toBe(readFileSync(SHARED_COPY, 'utf8'));
    },
  );
});

describe('conformance with upstream CVAT v2.73.0 docker-compose.yml', () => {
  it('maps every upstream service to a component or a named replacement', () => {
    const c = defaultCatalogue();
    for (const service of Object.keys(compose.services)) {
      const mapped = c.components.some((x) => x.upstream.includes(service)) || UPSTREAM_REPLACEMENTS.some((r) => r.service === service);
      expect(mapped, service).toBe(true);
    }
    expect(compareWithCompose(composeText).unmapped).toEqual([]);
    expect(UPSTREAM_REPLACEMENTS.map((r) => r.service)).toEqual(['cvat_db']);
  });

  it('names only services that exist upstream', () => {
    const services = new Set(Object.keys(compose.services));
    for (const x of defaultCatalogue().components) for (const u of x.upstream) expect(services.has(u), `${x.name}: ${u}`).toBe(true);
  });

  it('uses the same image repository and tag as upstream for every service except the listed ones', () => {
    const c = defaultCatalogue();
    const imageDeviations = new Set(UPSTREAM_DEVIATIONS.filter((d) => d.aspect === 'image').flatMap((d) => d.components));
    for (const x of c.components) {
      for (const u of x.upstream) {
        if (imageDeviations.has(x.name)) continue;
        expect(`${x.image.repository}:${x.image.tag}`, x.name).toBe(interpolateCompose(compose.services[u]!.image));
      }
    }
    expect([...imageDeviations]).toEqual(['edge']);
  });

  it("keeps upstream's queues, scheduler flag and OPA command: each runner serves its upstream services' queues", () => {
    const c = defaultCatalogue();
    const words = (cmd: string | string[]) => (Array.isArray(cmd) ? cmd : cmd.split(' '));
    for (const x of c.components.filter((y) => y.enabled && y.runner)) {
      const upstreamArgs = x.upstream.flatMap((u) => words(compose.services[u]!.command!));
      const upstreamQueues = upstreamArgs.filter((a) => a !== 'run' && a !== 'worker' && !a.startsWith('--'));
      const parsed = parseRqRunner(x.command, x.args);
      expect([...(parsed?.queues ?? [])].sort(), x.name).toEqual(upstreamQueues.sort());
      expect(parsed?.withScheduler, x.name).toBe(upstreamArgs.includes('--with-scheduler'));
    }
    // OPA: upstream's arguments, except the bundle polling delays (OPA_BUNDLE_POLLING, a listed deviation).
    const opa = c.components.find((y) => y.name === 'opa')!;
    const polling = /^--set=bundles\.cvat\.polling\.(min|max)_delay_seconds=/;
    const upstreamOpa = words(compose.services[opa.upstream[0]!]!.command!);
    expect(opa.args?.filter((a) => !polling.test(a))).toEqual(upstreamOpa.filter((a) => !polling.test(a)));
    expect(upstreamOpa.filter((a) => polling.test(a))).toEqual([
      '--set=bundles.cvat.polling.min_delay_seconds=5',
      '--set=bundles.cvat.polling.max_delay_seconds=15',
    ]);
    expect(opa.args?.filter((a) => polling.test(a))).toEqual([
      `--set=bundles.cvat.polling.min_delay_seconds=${OPA_BUNDLE_POLLING.minDelaySeconds}`,
      `--set=bundles.cvat.polling.max_delay_seconds=${OPA_BUNDLE_POLLING.maxDelaySeconds}`,
    ]);
  });

  it('explains every difference (image, command, entrypoint, env, volumes, user, init, ports, labels) by a deviation entry', () => {
    const { differences } = compareWithCompose(composeText);
    const { unexplained } = explainDifferences(differences);
    expect(unexplained).toEqual([]);
    // the comparison is not vacuous: it does find the deliberate differences
    expect(differences.length).toBeGreaterThan(100);
  });

  it('has no stale deviation entries: each still matches an actual difference for each of its components', () => {
    const { differences } = compareWithCompose(composeText);
    expect(explainDifferences(differences).stale.map((s) => `${s.component}: ${s.deviation.aspect} ${s.deviation.key ?? ''}`)).toEqual([]);
  });

  it('gives a reason for every deviation', () => {
    for (const d of UPSTREAM_DEVIATIONS) expect(d.reason.length, JSON.stringify(d)).toBeGreaterThan(15);
  });

  it('cites evidence for every deviation: an upstream file at v2.73.0 or a documentation URL, in every ";"-separated part', () => {
    const cite =
      /^(cvat-ai\/cvat@v2\.73\.0 [\w./-]+\.(py|sh|yml|yaml|tpl|conf|json|txt|toml)|cvat-ai\/cvat@v2\.73\.0 Dockerfile|https:\/\/\S+)( \(.+\))?$/;
    for (const d of UPSTREAM_DEVIATIONS) {
      const parts = d.evidence.split('; ');
      expect(parts.length, `${d.components[0]} ${d.aspect} ${d.key ?? ''}`).toBeGreaterThan(0);
      for (const part of parts) expect(part, `${d.components[0]} ${d.aspect} ${d.key ?? ''}`).toMatch(cite);
    }
  });

  it('lists every upstream environment variable as present or dropped with a reason', () => {
    const { differences } = compareWithCompose(composeText);
    const dropped = differences.filter((d) => d.aspect === 'env-dropped');
    expect(dropped.length).toBeGreaterThan(0);
    for (const d of dropped) {
      const entry = UPSTREAM_DEVIATIONS.find(
        (x: UpstreamDeviation) => x.aspect === 'env-dropped' && x.key === d.key && x.components.includes(d.component),
      );
      expect(entry?.reason, `${d.component} ${d.key}`).toBeTruthy();
    }
  });

  it('detects an unexplained change: a worker command edited in the catalogue', () => {
    const c = changed((x) => (comp(x, 'cvat-worker-utils').args = ['chunks', 'export']));
    const { unexplained } = explainDifferences(compareWithCompose(composeText, c).differences);
    expect(unexplained.map((u) => [u.component, u.service, u.aspect, u.ours]).sort()).toEqual([
      ['cvat-worker-utils', 'cvat_worker_chunks', 'command', 'chunks export'],
      ['cvat-worker-utils', 'cvat_worker_utils', 'command', 'chunks export'],
      ['cvat-worker-utils', 'cvat_worker_webhooks', 'command', 'chunks export'],
    ]);
  });

  it('detects an unexplained change: an upstream variable removed from a worker', () => {
    const c = changed(
      (x) => (comp(x, 'cvat-worker-utils').env = comp(x, 'cvat-worker-utils').env.filter((e) => e.name !== 'CVAT_LOG_IMPORT_ERRORS')),
    );
    const { unexplained } = explainDifferences(compareWithCompose(composeText, c).differences);
    expect(unexplained.filter((u) => u.service === 'cvat_worker_chunks')).toEqual([
      {
        component: 'cvat-worker-utils',
        service: 'cvat_worker_chunks',
        aspect: 'env-dropped',
        key: 'CVAT_LOG_IMPORT_ERRORS',
        upstream: 'true',
        ours: '',
      },
    ]);
  });

  it("detects a stale entry when the catalogue returns to upstream's value", () => {
    const c = changed((x) => (comp(x, 'edge').image.tag = 'v3.6'));
    const { stale } = explainDifferences(compareWithCompose(composeText, c).differences);
    expect(stale.map((s) => [s.component, s.deviation.aspect])).toEqual([['edge', 'image']]);
  });

  it("derives CVAT_NUM_PROXIES as upstream counts it: behind the edge VM (one proxy, like compose's Traefik) it equals compose's value", () => {
    // compose and cvat-ai/cvat@v2.73.0 helm-chart/values.yaml (numProxies: 1) count the proxies in front of
    // the server container; backend_entrypoint.sh adds the image's nginx for `run server`.
    const composeValue = interpolateCompose(
      String((compose.services.cvat_server as unknown as { environment: Record<string, unknown> }).environment.CVAT_NUM_PROXIES),
    );
    const vm = parseEnvironmentConfig({ name: 'dev', adminCidrs: ['203.0.113.0/24'], edge: { acmeEmail: 'ops@cvat-cloud.dev' } });
    const none = parseEnvironmentConfig({ name: 'dev', edge: { mode: 'none', hostname: 'cvat.corp.example' } });
    expect(composeValue).toBe('1');
    expect(platformValue(vm.value!, 'edge.numProxies')).toBe(composeValue);
    expect(platformValue(none.value!, 'edge.numProxies')).toBe('0');
  });

  it('interpolates compose variables the way docker compose does with an empty shell', () => {
    expect(interpolateCompose('cvat/server:${CVAT_VERSION:-v2.73.0}')).toBe('cvat/server:v2.73.0');
    expect(interpolateCompose('a,${no_proxy:-}')).toBe('a,');
    expect(interpolateCompose('${X}-$Y-$${Z}')).toBe('--${Z}');
  });
});
