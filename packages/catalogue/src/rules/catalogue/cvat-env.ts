import { CVAT_IMAGE_REPOSITORIES } from '../../data/components';
import { cvatNumProxies } from '../../derivations/cvat-num-proxies';
import type { Catalogue, PlatformRef } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { UNPINNED_TAGS, SENSITIVE_ENV_RE, cpath, enabled, findEnv, isCvatBackend, runsSmokescreen, envKind } from './helpers';

const EDGE_DERIVED: Record<string, PlatformRef> = {
  ALLOWED_HOSTS: 'edge.allowedHosts',
  CVAT_HOST: 'edge.host',
  CVAT_BASE_URL: 'edge.baseUrl',
  GF_SERVER_ROOT_URL: 'edge.analyticsUrl',
};

/** CVAT environment traps: variables the CVAT v2.73.0 images need, secrets, edge-derived hosts, image tags. */
export const CVAT_ENV_RULES: readonly Rule<Catalogue>[] = [
  /**
   * SMOKESCREEN_OPTS is defined (even empty) on every component whose supervisord starts
   * smokescreen: supervisord substitutes `%(ENV_SMOKESCREEN_OPTS)s` and fails when it is undefined.
   */
  defineRule('smokescreenOptsDefined', 'SMOKESCREEN_OPTS is defined wherever smokescreen runs.', (c, report) => {
    return enabled(c)
      .filter((x) => runsSmokescreen(x) && !findEnv(x, 'SMOKESCREEN_OPTS'))
      .map((x) =>
        report.error(
          cpath(x, 'env'),
          'SMOKESCREEN_OPTS missing',
          'must define SMOKESCREEN_OPTS (even empty): supervisord reads %(ENV_SMOKESCREEN_OPTS)s for smokescreen',
        ),
      );
  }),
  /** The worker serving `cleaning` defines CVAT_REDIS_INMEM_PASSWORD: its rqscheduler supervisor config reads `%(ENV_CVAT_REDIS_INMEM_PASSWORD)s`. */
  defineRule('cleaningWorkerHasInmemPassword', 'The cleaning worker defines CVAT_REDIS_INMEM_PASSWORD.', (c, report) => {
    return enabled(c)
      .filter((x) => x.queues.includes('cleaning') && !findEnv(x, 'CVAT_REDIS_INMEM_PASSWORD'))
      .map((x) =>
        report.error(
          cpath(x, 'env'),
          'CVAT_REDIS_INMEM_PASSWORD missing',
          'must define CVAT_REDIS_INMEM_PASSWORD: the rqscheduler supervisor config reads %(ENV_CVAT_REDIS_INMEM_PASSWORD)s',
        ),
      );
  }),
  /** Every CVAT backend sets both Redis hosts and ports explicitly: wait_for_deps.sh has no default port. */
  defineRule('redisPortsExplicit', 'Backends set both Redis hosts and ports.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of enabled(c).filter(isCvatBackend)) {
      for (const name of ['CVAT_REDIS_INMEM_HOST', 'CVAT_REDIS_INMEM_PORT', 'CVAT_REDIS_ONDISK_HOST', 'CVAT_REDIS_ONDISK_PORT']) {
        if (!findEnv(x, name))
          out.push(
            report.error(cpath(x, 'env'), `${name} missing`, `must define ${name}: wait_for_deps.sh waits on it and has no default`),
          );
      }
    }
    return out;
  }),
  /** Every CVAT backend sets CVAT_POSTGRES_HOST/PORT/USER/DBNAME and exactly one of CVAT_POSTGRES_PASSWORD (from a secret) or CVAT_POSTGRES_PASSWORD_FILE. */
  defineRule('postgresSettingsComplete', 'Backends set CVAT_POSTGRES_* with the password from a secret.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of enabled(c).filter(isCvatBackend)) {
      for (const name of ['CVAT_POSTGRES_HOST', 'CVAT_POSTGRES_PORT', 'CVAT_POSTGRES_USER', 'CVAT_POSTGRES_DBNAME']) {
        if (!findEnv(x, name))
          out.push(report.error(cpath(x, 'env'), `${name} missing`, `must define ${name} (defaults point at compose's cvat_db)`));
      }
      const pw = findEnv(x, 'CVAT_POSTGRES_PASSWORD');
      const file = findEnv(x, 'CVAT_POSTGRES_PASSWORD_FILE');
      if (pw && file)
        out.push(
          report.error(
            cpath(x, `env[${file.index}]`),
            'CVAT_POSTGRES_PASSWORD_FILE',
            'must not be set together with CVAT_POSTGRES_PASSWORD (CVAT raises ImproperlyConfigured)',
          ),
        );
      if (!pw && !file)
        out.push(report.error(cpath(x, 'env'), 'CVAT_POSTGRES_PASSWORD missing', 'must define CVAT_POSTGRES_PASSWORD from a secret'));
    }
    return out;
  }),
  /** Variables whose name says they hold a secret (…PASSWORD, …SECRET_KEY, …TOKEN) come from a secret, never a plain value. */
  defineRule('secretsNotPlaintext', 'Sensitive variables come from secrets.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of c.components) {
      x.env.forEach((e, i) => {
        if (SENSITIVE_ENV_RE.test(e.name) && !('secretRef' in e)) {
          out.push(
            report.error(
              cpath(x, `env[${i}]`),
              `${e.name}=${'value' in e ? '<redacted>' : envKind(e)}`,
              `must take ${e.name} from a secret (secretRef), never a plain value`,
            ),
          );
        }
      });
    }
    return out;
  }),
  /**
   * ALLOWED_HOSTS, CVAT_HOST, CVAT_BASE_URL (and Grafana's root URL) are derived from the edge
   * hostname — a `platformRef` before resolution, a value marked `derivedFrom` after — and the
   * server defines the first three (CSRF, absolute `result_url`s and host checks depend on them).
   */
  defineRule('edgeDerivedHosts', 'ALLOWED_HOSTS, CVAT_HOST and CVAT_BASE_URL derive from the edge hostname.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of enabled(c)) {
      x.env.forEach((e, i) => {
        const want = EDGE_DERIVED[e.name];
        if (!want) return;
        const ok = ('platformRef' in e && e.platformRef === want) || ('value' in e && e.derivedFrom === want);
        if (!ok)
          out.push(
            report.error(
              cpath(x, `env[${i}]`),
              `${e.name}=${envKind(e)}`,
              `must be derived from the edge hostname (platformRef "${want}")`,
            ),
          );
      });
      if (x.role === 'service' && isCvatBackend(x)) {
        for (const name of ['ALLOWED_HOSTS', 'CVAT_HOST', 'CVAT_BASE_URL']) {
          if (!findEnv(x, name))
            out.push(report.error(cpath(x, 'env'), `${name} missing`, `must define ${name} derived from the edge hostname`));
        }
      }
    }
    return out;
  }),
  /**
   * CVAT_NUM_PROXIES counts the HTTP proxies in front of the server container that append to
   * `X-Forwarded-For`: the edge VM when it is enabled, and the environment ingress when the server
   * has HTTP ingress (TCP ingress appends nothing); see `cvatNumProxies`. The nginx inside the
   * image is not counted here: the v2.73 entrypoint adds it for `run server`
   * (cvat-ai/cvat@v2.73.0 backend_entrypoint.sh, `account_for_internal_proxy`). Every CVAT backend
   * defines it, as a `platformRef: edge.numProxies` or as that number. Too high lets a client pick
   * its own throttling identity; too low throttles every user as a proxy's address.
   */
  defineRule(
    'numProxiesMatchesEdge',
    'CVAT_NUM_PROXIES counts the proxies in front of the server container (edge VM, HTTP ingress); the entrypoint adds the image nginx.',
    (c, report) => {
      const out: RuleIssue[] = [];
      const on = enabled(c);
      const edge = on.some((x) => x.role === 'edge');
      const server = on.find((x) => x.role === 'service' && isCvatBackend(x));
      const want = String(cvatNumProxies(edge, server?.ingress?.transport));
      const http = server?.ingress?.transport === 'http';
      const counted = [edge ? 'the edge VM' : '', http ? 'the HTTP ingress' : ''].filter(Boolean);
      const front = counted.length ? `${counted.join(' and ')} in front of the server` : 'no proxy in front of the server';
      const why = `${front}; the entrypoint adds the image's own nginx`;
      for (const x of on.filter(isCvatBackend)) {
        const found = findEnv(x, 'CVAT_NUM_PROXIES');
        if (!found) {
          out.push(
            report.error(cpath(x, 'env'), 'CVAT_NUM_PROXIES missing', `must define CVAT_NUM_PROXIES (platformRef "edge.numProxies")`),
          );
          continue;
        }
        const e = found.env;
        const ok = ('platformRef' in e && e.platformRef === 'edge.numProxies') || ('value' in e && e.value === want);
        if (!ok) out.push(report.error(cpath(x, `env[${found.index}]`), `CVAT_NUM_PROXIES=${envKind(e)}`, `must be "${want}" (${why})`));
      }
      return out;
    },
  ),
  /**
   * CVAT_ANALYTICS is "1" exactly when ClickHouse is enabled, and the server and init job define it (init creates the
   * ClickHouse schema only when it is 1). Vector without ClickHouse or the reverse is reported.
   */
  defineRule('analyticsConsistent', 'CVAT_ANALYTICS matches whether ClickHouse is enabled.', (c, report) => {
    const out: RuleIssue[] = [];
    const on = enabled(c);
    const clickhouse = on.some((x) => x.image.repository === 'clickhouse/clickhouse-server');
    const vector = on.some((x) => x.image.repository === 'timberio/vector');
    const want = clickhouse ? '1' : '0';
    for (const x of on) {
      const found = findEnv(x, 'CVAT_ANALYTICS');
      if (found) {
        const e = found.env;
        if (!('value' in e) || e.value !== want) {
          out.push(
            report.error(
              cpath(x, `env[${found.index}]`),
              `CVAT_ANALYTICS=${envKind(e)}`,
              `must be "${want}" because ClickHouse is ${clickhouse ? 'enabled' : 'disabled'}`,
            ),
          );
        }
      } else if (isCvatBackend(x) && (x.role === 'service' || (x.role === 'job' && x.job?.trigger !== 'event'))) {
        out.push(report.error(cpath(x, 'env'), 'CVAT_ANALYTICS missing', `must define CVAT_ANALYTICS ("${want}")`));
      }
    }
    if (clickhouse !== vector) {
      out.push(
        report.warning('components', { clickhouse, vector }, 'should enable ClickHouse and vector together (vector feeds ClickHouse)'),
      );
    }
    return out;
  }),
  /** Image tags are pinned: never empty, `latest`, `dev` or another moving tag. */
  defineRule('pinnedImageTags', 'Image tags are pinned.', (c, report) => {
    return c.components
      .filter((x) => UNPINNED_TAGS.includes(x.image.tag.toLowerCase()))
      .map((x) => report.error(cpath(x, 'image.tag'), x.image.tag, `must be a pinned release tag, not one of ${UNPINNED_TAGS.join(', ')}`));
  }),
  /** Every cvat/server and cvat/ui image uses `cvatVersion`: the workers and the UI must run the code whose migrations the init job applied. */
  defineRule('cvatImagesShareVersion', 'CVAT images use cvatVersion.', (c, report) => {
    return c.components
      .filter((x) => (CVAT_IMAGE_REPOSITORIES as readonly string[]).includes(x.image.repository) && x.image.tag !== c.cvatVersion)
      .map((x) =>
        report.error(
          cpath(x, 'image.tag'),
          x.image.tag,
          `must equal cvatVersion (${JSON.stringify(c.cvatVersion)}); change cvatVersion to upgrade every CVAT image at once`,
        ),
      );
  }),
];
