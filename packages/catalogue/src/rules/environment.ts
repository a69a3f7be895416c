import { posix, win32 } from 'node:path';
import { ENVIRONMENT_SECURITY_RULES } from './environment-security';
import { AZURE_TAG_LIMITS, AZURE_VM_SIZE_RE, AZURERM_POSTGRES_SKU_RE } from '../data/azure-limits';
import { AZURE_REGIONS, AZURE_REGIONS_AS_OF } from '../data/azure-regions';
import { COMPONENT_NAMES, DEFAULT_COMPONENTS, EVENT_JOB_NAMES, eventJobNameOf, RUNNER_NAMES, WORKER_NAMES } from '../data/components';
import { queueAllowsEventJob, RQ_QUEUE_NAMES, RQ_QUEUES } from '../data/rq-queues';
import { standardTags } from '../data/standard-tags';
import { DEFAULT_STORAGES } from '../data/storages';
import type { EnvironmentConfig } from '../schema/environment';
import { cidrContains, cidrOverlaps, parseCidr } from './cidr';
import { defineRule, type Rule, type RuleIssue } from './issues';
import { checkSshPublicKey } from './ssh-key';

/** The closest entry of `list` to `value` by edit distance, when it is close enough to be a typo. */
function closest(value: string, list: readonly string[]): string | undefined {
  let best: { entry: string; distance: number } | undefined;
  for (const entry of list) {
    const d = editDistance(value, entry);
    if (!best || d < best.distance) best = { entry, distance: d };
  }
  return best && best.distance <= Math.max(2, Math.floor(value.length / 4)) ? best.entry : undefined;
}
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** A named rule of the environment configuration (cross-field; the catalogue rules run on the overrides in resolveCatalogue). */
export type EnvironmentRule = Rule<EnvironmentConfig>;

/** Every named rule of the environment configuration, in the order they run. */
/**
 * Overrides name catalogue components and storages. Exported on its own because the catalogue resolver applies
 * it too (resolveCatalogue may be given a config that skipped validation).
 */
export const overridesNameKnownEntries: EnvironmentRule = defineRule(
  'overridesNameKnownEntries',
  'Overrides name catalogue components and storages.',
  (config, report) => {
    const out: RuleIssue[] = [];
    const components = DEFAULT_COMPONENTS.map((x) => x.name);
    const storages = DEFAULT_STORAGES.map((s) => s.name);
    for (const name of Object.keys(config.components)) {
      if (!components.includes(name))
        out.push(report.error(`components.${name}`, name, `must name a catalogue component (one of ${components.join(', ')})`));
    }
    for (const name of Object.keys(config.storages)) {
      if (!storages.includes(name))
        out.push(report.error(`storages.${name}`, name, `must name a catalogue storage (one of ${storages.join(', ')})`));
    }
    for (const name of RUNNER_NAMES) {
      if (config.components[name]?.enabled !== undefined)
        out.push(
          report.error(
            `components.${name}.enabled`,
            config.components[name]?.enabled,
            'must not be set; an RQ runner is deployed when queueRunners gives it a queue',
          ),
        );
    }
    if (config.components[COMPONENT_NAMES.edge]?.enabled !== undefined) {
      out.push(
        report.error(
          `components.${COMPONENT_NAMES.edge}.enabled`,
          config.components[COMPONENT_NAMES.edge]?.enabled,
          'must not be set; use edge.mode',
        ),
      );
    }
    return out;
  },
);

/**
 * `queueRunners` names CVAT queues and, for each, a runner that may serve it: an always-on worker for
 * any queue, an event-driven job only for a queue nobody waits on that needs no scheduler. Exported on
 * its own because the catalogue resolver applies it too.
 */
export const queueRunnersKnown: EnvironmentRule = defineRule(
  'queueRunnersKnown',
  'queueRunners maps CVAT queues to runners that may serve them (event jobs only for import, export, annotation, quality_reports, consensus).',
  (config, report) => {
    const out: RuleIssue[] = [];
    for (const [queue, runner] of Object.entries(config.queueRunners)) {
      const at = `queueRunners.${queue}`;
      if (!(queue in RQ_QUEUES)) {
        out.push(report.error(at, queue, `must name a CVAT queue (one of ${RQ_QUEUE_NAMES.join(', ')})`));
        continue;
      }
      const allowed = [...WORKER_NAMES, ...EVENT_JOB_NAMES.filter((j) => queueAllowsEventJob(queue) && j === eventJobNameOf(queue))];
      if (!allowed.includes(runner)) {
        const why = queueAllowsEventJob(queue)
          ? ''
          : RQ_QUEUES[queue]?.callerWaits
            ? ' (a caller waits on this queue, so no event job)'
            : ` (it needs the ${RQ_QUEUES[queue]?.scheduler} scheduler, so no event job)`;
        out.push(report.error(at, runner, `must be one of ${allowed.join(', ')}${why}`));
      }
    }
    return out;
  },
);

export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  /** Every subnet lies inside the address space, subnets do not overlap, and the apps subnet is /27 or larger. */
  defineRule('subnetsFitAddressSpace', 'Subnets lie inside the address space, do not overlap, apps ≥ /27.', (config, report) => {
    const out: RuleIssue[] = [];
    const space = parseCidr(config.network.addressSpace);
    const entries = Object.entries(config.network.subnets).map(([k, c]) => ({ k, c, b: parseCidr(c) }));
    for (const { k, c, b } of entries) {
      if (space && b && !cidrContains(space, b)) {
        out.push(report.error(`network.subnets.${k}`, c, `must lie inside network.addressSpace (${config.network.addressSpace})`));
      }
    }
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const a = entries[i]!;
        const b = entries[j]!;
        if (a.b && b.b && cidrOverlaps(a.b, b.b))
          out.push(report.error(`network.subnets.${b.k}`, b.c, `must not overlap network.subnets.${a.k} (${a.c})`));
      }
    }
    const apps = parseCidr(config.network.subnets.apps);
    if (apps && apps.prefixLength > 27) {
      out.push(
        report.error('network.subnets.apps', config.network.subnets.apps, 'must be /27 or larger for a workload-profiles environment'),
      );
    }
    return out;
  }),
  /** Admin CIDRs never open the environment to the whole internet. */
  defineRule('adminCidrsNotOpen', 'Admin CIDRs are /8 or narrower.', (config, report) => {
    return config.adminCidrs
      .map((c, i) => ({ c, i, b: parseCidr(c) }))
      .filter(({ b }) => b !== undefined && b.prefixLength < 8)
      .map(({ c, i }) =>
        report.error(`adminCidrs[${i}]`, c, 'must be /8 or narrower (SSH, Key Vault and storage must not be open to the internet)'),
      );
  }),
  /** The edge: `vm` needs an ACME email; `none` needs a hostname (the host CVAT answers to). */
  defineRule('edgeSettingsComplete', 'vm needs acmeEmail; none needs hostname.', (config, report) => {
    const out: RuleIssue[] = [];
    if (config.edge.mode === 'vm' && !config.edge.acmeEmail) {
      out.push(report.error('edge.acmeEmail', undefined, 'must be set when edge.mode is "vm" (Let\'s Encrypt account)'));
    }
    if (config.edge.mode === 'none' && !config.edge.hostname) {
      out.push(
        report.error(
          'edge.hostname',
          undefined,
          'must be set when edge.mode is "none" (CVAT_HOST, ALLOWED_HOSTS and CVAT_BASE_URL derive from it)',
        ),
      );
    }
    return out;
  }),
  /** Grafana needs the analytics stack (its datasource is ClickHouse). */
  defineRule('grafanaNeedsAnalytics', 'grafana requires analytics.', (config, report) => {
    return config.grafana && !config.analytics
      ? [report.error('grafana', true, 'must be false when analytics is false (Grafana reads ClickHouse)')]
      : [];
  }),
  overridesNameKnownEntries,
  queueRunnersKnown,
  /**
   * `location` is an Azure public-cloud region (the dated list in `AZURE_REGIONS`); a misspelt
   * region would otherwise pass synth and fail at apply.
   */
  defineRule(
    'locationIsAzureRegion',
    'location is an Azure public-cloud region (dated list in src/data/azure-regions.ts).',
    (config, report) => {
      if (AZURE_REGIONS.includes(config.location)) return [];
      const hint = closest(config.location, AZURE_REGIONS);
      return [
        report.error(
          'location',
          config.location,
          `must be an Azure public-cloud region as ARM spells it (${AZURE_REGIONS.length} known on ${AZURE_REGIONS_AS_OF}, e.g. westeurope, eastus2)` +
            (hint ? `; did you mean "${hint}"?` : '') +
            ' A region Azure opened since then is added to AZURE_REGIONS in packages/catalogue/src/data/azure-regions.ts.',
        ),
      ];
    },
  ),
  /**
   * The environment's tags plus the standard ones fit the limits of every resource they land on:
   * at most 15 in all (Key Vault secrets), names of 1-128 bytes without `< > % & \ ? /`, values of at
   * most 256 bytes.
   */
  defineRule(
    'tagsWithinAzureLimits',
    'Tags (with the 4 standard ones) fit Azure and azurerm limits: ≤ 15 in all, names ≤ 128 bytes without < > % & \\ ? /, values ≤ 256 bytes.',
    (config, report) => {
      const out: RuleIssue[] = [];
      const standard = standardTags(config);
      const all = { ...standard, ...config.tags };
      const count = Object.keys(all).length;
      const own = Object.keys(config.tags).filter((k) => !(k in standard)).length;
      if (count > AZURE_TAG_LIMITS.maxTagsKeyVaultSecret) {
        out.push(
          report.error(
            'tags',
            `${own} tags`,
            `must leave every resource at most ${AZURE_TAG_LIMITS.maxTagsKeyVaultSecret} tags: with the ${Object.keys(standard).length} standard tags ` +
              `(${Object.keys(standard).join(', ')}) there are ${count}; azurerm v4.55.0 allows ` +
              `${AZURE_TAG_LIMITS.maxTagsKeyVaultSecret} on a Key Vault secret ` +
              `(Azure: ${AZURE_TAG_LIMITS.maxTagsAzure} per resource), so remove ${count - AZURE_TAG_LIMITS.maxTagsKeyVaultSecret}`,
          ),
        );
      }
      for (const [name, value] of Object.entries(config.tags)) {
        const at = `tags.${name.length > 40 ? `${name.slice(0, 37)}...` : name}`;
        if (name.length === 0) out.push(report.error('tags', name, 'must not contain an empty tag name'));
        if (bytes(name) > AZURE_TAG_LIMITS.maxNameBytes) {
          out.push(
            report.error(
              at,
              `${bytes(name)} bytes`,
              `must be a tag name of at most ${AZURE_TAG_LIMITS.maxNameBytes} bytes (the storage account's limit)`,
            ),
          );
        }
        const bad = AZURE_TAG_LIMITS.forbiddenNameCharacters.filter((c) => name.includes(c));
        if (bad.length)
          out.push(
            report.error(
              at,
              name,
              `must be a tag name without ${AZURE_TAG_LIMITS.forbiddenNameCharacters.join(' ')} (it has ${bad.join(' ')})`,
            ),
          );
        if (bytes(value) > AZURE_TAG_LIMITS.maxValueBytes) {
          out.push(report.error(at, `${bytes(value)} bytes`, `must be a tag value of at most ${AZURE_TAG_LIMITS.maxValueBytes} bytes`));
        }
      }
      return out;
    },
  ),
  /**
   * With the edge on, `adminCidrs` names at least one operator network: the edge VM's SSH rule and the
   * deploy's writes to the deny-by-default storage account and Key Vault come from those networks.
   */
  defineRule('adminCidrsWithEdge', 'edge.mode vm needs at least one adminCidrs entry.', (config, report) =>
    config.edge.mode === 'vm' && config.adminCidrs.length === 0
      ? [
          report.error(
            'adminCidrs',
            config.adminCidrs,
            'must name at least one operator network (e.g. 203.0.113.7/32) when edge.mode is vm',
          ),
        ]
      : [],
  ),
  /**
   * The edge VM size has the shape of an Azure VM size name and is not an Arm64 size (the edge image
   * is Ubuntu 24.04 for x64).
   */
  defineRule(
    'edgeVmSizeName',
    'edge.vmSize has the shape of an Azure VM size name (e.g. Standard_B2ats_v2) and is an x64 size.',
    (config, report) => {
      if (config.edge.mode !== 'vm') return [];
      const size = config.edge.vmSize;
      if (!AZURE_VM_SIZE_RE.test(size)) {
        return [
          report.error(
            'edge.vmSize',
            size,
            'must be an Azure VM size name such as Standard_B2ats_v2 or Standard_D4as_v5 (Standard_<family><vCPUs>[features][_v<n>])',
          ),
        ];
      }
      const features = /^[A-Za-z]+_[A-Z]{1,3}[a-z]?[0-9]+(?:-[0-9]+)?([a-z]*)/.exec(size)?.[1] ?? '';
      if (features.includes('p'))
        return [
          report.error(
            'edge.vmSize',
            size,
            'must be an x64 size: the "p" feature marks an Arm64 size, and the edge image (Ubuntu 24.04 server) is x64',
          ),
        ];
      return [];
    },
  ),
  /**
   * `edge.sshPublicKey` is a key the pinned provider accepts (ssh-rsa ≥ 2048 bits or ssh-ed25519).
   */
  defineRule(
    'edgeSshKeyAccepted',
    'edge.sshPublicKey is ssh-ed25519 or ssh-rsa of ≥ 2048 bits (what azurerm v4.55.0 accepts).',
    (config, report) => {
      const key = config.edge.sshPublicKey;
      if (key === undefined) return [];
      const problem = checkSshPublicKey(key);
      return problem ? [report.error('edge.sshPublicKey', `${key.split(/\s+/)[0]} key`, problem)] : [];
    },
  ),
  /**
   * `postgres.skuName` is one the pinned provider accepts, and zone-redundant high availability is
   * not asked of a Burstable SKU (Azure refuses it).
   *
   * @see https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-high-availability
   */
  defineRule(
    'postgresSkuAccepted',
    'postgres.skuName is a Flexible Server SKU azurerm v4.55.0 accepts; no highAvailability on Burstable.',
    (config, report) => {
      const sku = config.postgres.skuName;
      if (!AZURERM_POSTGRES_SKU_RE.test(sku)) {
        return [
          report.error(
            'postgres.skuName',
            sku,
            'must be a Flexible Server SKU azurerm v4.55.0 accepts: B_Standard_B1ms/B2s/B2ms/B4ms/B8ms/B12ms/B16ms/B20ms, GP_Standard_D<n>s_v3, ' +
              'GP_Standard_D<n>ds_v4/ds_v5/ads_v5, MO_Standard_E<n>s_v3, MO_Standard_E<n>ds_v4/ds_v5/ads_v5 (e.g. GP_Standard_D4ds_v5)',
          ),
        ];
      }
      if (config.postgres.highAvailability && sku.startsWith('B_')) {
        return [
          report.error(
            'postgres.highAvailability',
            true,
            `must be false with the Burstable SKU ${sku}: high availability needs a GP_ or MO_ SKU`,
          ),
        ];
      }
      return [];
    },
  ),
  /**
   * A local state path stays inside the repository (it is relative to packages/infra) unless
   * `stateBackend.allowPathOutsideRepository` is true: state holds secrets, and a path such as `../../..`
   * or `/tmp/x` would put it where nothing in the repository looks after it.
   */
  defineRule(
    'statePathInsideRepository',
    'A local stateBackend.path stays inside the repository unless stateBackend.allowPathOutsideRepository is true.',
    (config, report) => {
      const backend = config.stateBackend;
      if (backend.type !== 'local' || backend.allowPathOutsideRepository) return [];
      const optOut = ' (or set stateBackend.allowPathOutsideRepository: true to keep state elsewhere on purpose)';
      if (posix.isAbsolute(backend.path) || win32.isAbsolute(backend.path)) {
        return [
          report.error('stateBackend.path', backend.path, `must be relative to packages/infra and stay inside the repository${optOut}`),
        ];
      }
      const fromRoot = posix.normalize(posix.join('packages/infra', backend.path.replace(/\\/g, '/')));
      if (fromRoot === '.' || fromRoot === '..' || fromRoot.startsWith('../') || fromRoot.split('/')[0] === '.git') {
        return [
          report.error(
            'stateBackend.path',
            backend.path,
            `must stay inside the repository below its root and outside .git (it resolves to ${fromRoot} from the root)${optOut}`,
          ),
        ];
      }
      return [];
    },
  ),
  ...ENVIRONMENT_SECURITY_RULES,
];
