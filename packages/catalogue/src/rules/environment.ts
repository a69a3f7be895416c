import { COMPONENT_NAMES, DEFAULT_COMPONENTS } from '../data/components';
import { DEFAULT_STORAGES } from '../data/storages';
import type { EnvironmentConfig } from '../schema/environment';
import { cidrContains, cidrOverlaps, parseCidr } from './cidr';
import { defineRule, type Rule, type RuleIssue } from './issues';

/** A named rule of the environment configuration (cross-field; the catalogue rules run on the overrides in resolveCatalogue). */
export type EnvironmentRule = Rule<EnvironmentConfig>;

/** Every named rule of the environment configuration, in the order they run. */
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
        if (a.b && b.b && cidrOverlaps(a.b, b.b)) out.push(report.error(`network.subnets.${b.k}`, b.c, `must not overlap network.subnets.${a.k} (${a.c})`));
      }
    }
    const apps = parseCidr(config.network.subnets.apps);
    if (apps && apps.prefixLength > 27) {
      out.push(report.error('network.subnets.apps', config.network.subnets.apps, 'must be /27 or larger for a workload-profiles environment'));
    }
    return out;
  }),
  /** Admin CIDRs never open the environment to the whole internet. */
  defineRule('adminCidrsNotOpen', 'Admin CIDRs are /8 or narrower.', (config, report) => {
    return config.adminCidrs
      .map((c, i) => ({ c, i, b: parseCidr(c) }))
      .filter(({ b }) => b !== undefined && b.prefixLength < 8)
      .map(({ c, i }) => report.error(`adminCidrs[${i}]`, c, 'must be /8 or narrower (SSH, Key Vault and storage must not be open to the internet)'));
  }),
  /** The edge: `vm` needs an ACME email; `none` needs a hostname (the host CVAT answers to). */
  defineRule('edgeSettingsComplete', 'vm needs acmeEmail; none needs hostname.', (config, report) => {
    const out: RuleIssue[] = [];
    if (config.edge.mode === 'vm' && !config.edge.acmeEmail) {
      out.push(report.error('edge.acmeEmail', undefined, "must be set when edge.mode is \"vm\" (Let's Encrypt account)"));
    }
    if (config.edge.mode === 'none' && !config.edge.hostname) {
      out.push(report.error('edge.hostname', undefined, 'must be set when edge.mode is "none" (CVAT_HOST, ALLOWED_HOSTS and CVAT_BASE_URL derive from it)'));
    }
    return out;
  }),
  /** Grafana needs the analytics stack (its datasource is ClickHouse). */
  defineRule('grafanaNeedsAnalytics', 'grafana requires analytics.', (config, report) => {
    return config.grafana && !config.analytics ? [report.error('grafana', true, 'must be false when analytics is false (Grafana reads ClickHouse)')] : [];
  }),
  /** Overrides name catalogue components and storages. */
  defineRule('overridesNameKnownEntries', 'Overrides name catalogue components and storages.', (config, report) => {
    const out: RuleIssue[] = [];
    const components = DEFAULT_COMPONENTS.map((x) => x.name);
    const storages = DEFAULT_STORAGES.map((s) => s.name);
    for (const name of Object.keys(config.components)) {
      if (!components.includes(name)) out.push(report.error(`components.${name}`, name, `must name a catalogue component (one of ${components.join(', ')})`));
    }
    for (const name of Object.keys(config.storages)) {
      if (!storages.includes(name)) out.push(report.error(`storages.${name}`, name, `must name a catalogue storage (one of ${storages.join(', ')})`));
    }
    if (config.components[COMPONENT_NAMES.edge]?.enabled !== undefined) {
      out.push(report.error(`components.${COMPONENT_NAMES.edge}.enabled`, config.components[COMPONENT_NAMES.edge]?.enabled, 'must not be set; use edge.mode'));
    }
    return out;
  }),
];
