import type { CommandResult } from '../../output';
import type { Runtime } from '../../context/runtime';
import { EXIT, applyArmSetup } from '@cvat-cloud/runtime';
import { resolveAccountName, resolveScope } from './account';
import { armError } from './arm-errors';
import { blockHasAddress, isPrivateIpv4, parseCidr, parseIpv4 } from '@cvat-cloud/catalogue';

/** How Azure reads an IP rule: host bits cleared, a bare address is a /32. */
const IP_RULE = { allowHostBits: true, allowBareAddress: true } as const;
import type { StorageRulesOptions } from './options';
import { msg } from './messages';

/** The network rule set as cvat-ops reports it (wire names of the storage account's `networkAcls`). */
export interface NetworkRules {
  publicNetworkAccess: string | null;
  defaultAction: string;
  bypass: string | null;
  ipRules: { value: string; action: string; valid: boolean }[];
  virtualNetworkRules: { id: string; action: string; state: string | null }[];
}

/** One "is X allowed?" answer. */
export interface AccessCheck {
  subject: string;
  value: string;
  allowed: boolean;
  reason: string;
}

/** What `storage rules --json` prints. */
export interface StorageRulesReport extends NetworkRules {
  account: string;
  resourceGroup: string;
  checks: AccessCheck[];
}

/**
 * Whether a public IPv4 address may reach the account's data plane. Mirrors the storage firewall: public network
 * access disabled → nobody; default action Allow → everyone; otherwise an Allow IP rule must contain the address.
 * RFC 1918 addresses never match IP rules (their traffic arrives through VNet rules or private endpoints).
 */
export function checkIp(rules: NetworkRules, ip: string): { allowed: boolean; reason: string } {
  if (parseIpv4(ip) === undefined) return { allowed: false, reason: `'${ip}' is not an IPv4 address` };
  if (rules.publicNetworkAccess?.toLowerCase() === 'disabled')
    return { allowed: false, reason: 'public network access is disabled (private endpoints only)' };
  if (rules.defaultAction.toLowerCase() === 'allow') return { allowed: true, reason: 'default action is Allow (no firewall)' };
  if (isPrivateIpv4(ip))
    return { allowed: false, reason: 'private (RFC 1918) address: IP rules never match it; allow its subnet with a virtual network rule' };
  for (const rule of rules.ipRules) {
    const range = parseCidr(rule.value.trim(), IP_RULE);
    if (range && rule.action.toLowerCase() === 'allow' && blockHasAddress(range, ip))
      return { allowed: true, reason: `IP rule ${rule.value}` };
  }
  return { allowed: false, reason: `no IP rule contains it (default action ${rules.defaultAction})` };
}

/** Whether a subnet (by resource id) is allowed by a virtual network rule. Ids compare case-insensitively, as ARM ids do. */
export function checkSubnet(rules: NetworkRules, subnetId: string): { allowed: boolean; reason: string } {
  if (rules.publicNetworkAccess?.toLowerCase() === 'disabled')
    return { allowed: false, reason: 'public network access is disabled (private endpoints only)' };
  if (rules.defaultAction.toLowerCase() === 'allow') return { allowed: true, reason: 'default action is Allow (no firewall)' };
  const rule = rules.virtualNetworkRules.find((r) => r.id.toLowerCase() === subnetId.toLowerCase());
  if (!rule)
    return { allowed: false, reason: 'no virtual network rule for this subnet (it also needs the Microsoft.Storage service endpoint)' };
  if (rule.action.toLowerCase() !== 'allow') return { allowed: false, reason: `virtual network rule action is ${rule.action}` };
  if (rule.state && rule.state !== 'Succeeded') return { allowed: false, reason: `virtual network rule is in state ${rule.state}` };
  return { allowed: true, reason: 'virtual network rule' };
}

/** Normalises the SDK's (flattened) account into {@link NetworkRules}; a missing rule set means "Allow". */
export function toNetworkRules(account: {
  publicNetworkAccess?: string;
  networkRuleSet?: {
    bypass?: string;
    defaultAction?: string;
    ipRules?: { iPAddressOrRange?: string; action?: string }[];
    virtualNetworkRules?: { virtualNetworkResourceId?: string; action?: string; state?: string }[];
  };
}): NetworkRules {
  const set = account.networkRuleSet;
  return {
    publicNetworkAccess: account.publicNetworkAccess ?? null,
    defaultAction: set?.defaultAction ?? 'Allow',
    bypass: set?.bypass ?? null,
    ipRules: (set?.ipRules ?? []).map((r) => ({
      value: r.iPAddressOrRange ?? '',
      action: r.action ?? 'Allow',
      valid: parseCidr((r.iPAddressOrRange ?? '').trim(), IP_RULE) !== undefined,
    })),
    virtualNetworkRules: (set?.virtualNetworkRules ?? []).map((r) => ({
      id: r.virtualNetworkResourceId ?? '',
      action: r.action ?? 'Allow',
      state: r.state ?? null,
    })),
  };
}

/** ARM id of a subnet. */
export function subnetId(subscriptionId: string, resourceGroup: string, vnet: string, subnet: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/${subnet}`;
}

/**
 * `cvat-ops storage rules [--ip A.B.C.D] [--my-ip]`: the account's network rule set and whether each address and each
 * subnet of the environment may reach it. Exit 1 when an asked-for IP or the apps subnet is not allowed.
 */
export async function storageRules(options: StorageRulesOptions, runtime: Runtime): Promise<CommandResult<StorageRulesReport>> {
  const { account } = await resolveAccountName(options, runtime, 'storage rules');
  const scope = await resolveScope(options, runtime, 'storage rules');
  const [{ StorageManagementClient }, { armClientSetup }] = await Promise.all([
    import('@azure/arm-storage'),
    import('../../context/azure.js'),
  ]);
  const setup = await armClientSetup(runtime);
  const client = applyArmSetup(new StorageManagementClient(setup.credential, scope.subscriptionId, setup.options), setup);
  let props: Awaited<ReturnType<typeof client.storageAccounts.getProperties>>;
  try {
    props = await client.storageAccounts.getProperties(scope.resourceGroup, account);
  } catch (error) {
    throw armError(error, { what: `reading storage account '${account}'`, account, scope });
  }
  const rules = toNetworkRules(props);
  const checks: AccessCheck[] = [];
  let mustPass = 0;
  let failedMust = 0;
  const add = (subject: string, value: string, r: { allowed: boolean; reason: string }, must: boolean): void => {
    checks.push({ subject, value, ...r });
    if (must) {
      mustPass++;
      if (!r.allowed) failedMust++;
    }
  };
  if (options.ip) add('ip (--ip)', options.ip, checkIp(rules, options.ip), true);
  if (options.myIp) {
    const ip = await runtime.egressIp();
    add('this machine (--my-ip)', ip, checkIp(rules, ip), true);
  }
  const env = scope.environment;
  if (env) {
    for (const [role, name] of Object.entries(env.names.subnets)) {
      const id = subnetId(scope.subscriptionId, scope.resourceGroup, env.names.virtualNetwork, name);
      // the apps subnet carries the container apps' SMB mounts: it must be allowed
      add(`subnet ${role}`, name, checkSubnet(rules, id), role === 'apps');
    }
  }
  const nextSteps: string[] = [];
  if (failedMust) nextSteps.push(msg.rulesDenied(failedMust, mustPass));
  return {
    data: { account, resourceGroup: scope.resourceGroup, ...rules, checks },
    exitCode: failedMust ? EXIT.FAILED : EXIT.OK,
    view: [
      {
        kind: 'fields',
        title: `Storage account ${account} (resource group ${scope.resourceGroup})`,
        fields: [
          ['public network access', rules.publicNetworkAccess ?? 'Enabled (default)'],
          ['default action', rules.defaultAction],
          ['bypass', rules.bypass ?? '-'],
        ],
      },
      {
        kind: 'table',
        title: 'IP rules',
        columns: [{ key: 'value', header: 'ADDRESS OR RANGE' }, { key: 'action' }, { key: 'note' }],
        rows: rules.ipRules.map((r) => ({ ...r, note: r.valid ? '' : 'not an IPv4 address or CIDR range; never matches' })),
      },
      {
        kind: 'table',
        title: 'Virtual network rules',
        columns: [{ key: 'id', header: 'SUBNET' }, { key: 'action' }, { key: 'state' }],
        rows: rules.virtualNetworkRules,
      },
      ...(checks.length
        ? [
            {
              kind: 'table' as const,
              title: 'Access',
              columns: [{ key: 'subject' }, { key: 'value' }, { key: 'allowed' }, { key: 'reason' }],
              rows: checks as unknown as Record<string, unknown>[],
            },
          ]
        : []),
      ...(nextSteps.length ? [{ kind: 'lines' as const, lines: nextSteps }] : []),
    ],
  };
}
