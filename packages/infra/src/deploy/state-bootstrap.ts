import { spawn } from 'node:child_process';
import { formatIpv4, isPrivateBlock, parseCidr } from '@cvat-cloud/catalogue';
import { DeployError } from './errors';

/** Result of one `az` invocation. */
export interface AzResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the Azure CLI; a function so tests can pass a double. */
export type AzRunner = (args: readonly string[]) => Promise<AzResult>;

/** Spawns the real `az` binary (no shell). */
export function createAzRunner(binary: string, env: NodeJS.ProcessEnv): AzRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn(binary, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
    });
}

/** The azurerm state backend settings of an environment config (`stateBackend`). */
export interface AzurermBackendSettings {
  readonly resourceGroup: string;
  readonly storageAccount: string;
  readonly container: string;
  readonly key: string;
}

/** What state-bootstrap did (or would do) for one resource. */
export interface BootstrapAction {
  readonly resource: string;
  readonly status: 'exists' | 'created' | 'configured' | 'would-create' | 'would-configure';
  /** The az command run (or that would run). */
  readonly command: string;
}

/** Options of {@link runStateBootstrap}. */
export interface StateBootstrapOptions {
  readonly backend: AzurermBackendSettings;
  /** Azure region for new resources, e.g. `eastus`. */
  readonly location: string;
  readonly subscriptionId: string;
  readonly az: AzRunner;
  readonly log: (line: string) => void;
  /** Print the commands instead of creating anything. @default false */
  readonly dryRun?: boolean;
  /**
   * Days deleted or overwritten state blobs stay recoverable (blob soft delete + versioning).
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Operator networks (the environment's `adminCidrs`) allowed through the state account's firewall, which then denies
   * every other address (default action Deny, bypass AzureServices). State holds secrets (the storage account key, the
   * outputs the stacks share), so it is reachable from where operators deploy only.
   * @default - no firewall change (the account stays reachable from any address, still with Entra ID auth only)
   */
  readonly allowedCidrs?: readonly string[];
}

/**
 * The storage firewall's form of an operator CIDR: a bare address for /32 (and a host address), the CIDR otherwise.
 * Azure Storage IP rules take public IPv4 only and no /31 or /32 ranges ("Small address ranges using /31 or /32 prefix
 * sizes are not supported"; "IP network rules ... are not allowed for private address ranges"):
 * https://learn.microsoft.com/azure/storage/common/storage-network-security-limitations
 *
 * @throws DeployError BAD_INPUT naming `adminCidrs[i]` and what is allowed
 */
export function storageIpRule(cidr: string, index: number): string {
  const block = parseCidr(cidr.trim(), { allowHostBits: true, allowBareAddress: true });
  const field = `'adminCidrs[${index}]' (${cidr})`;
  if (!block) throw new DeployError('BAD_INPUT', `${field} must be an IPv4 address or CIDR such as 203.0.113.0/24`);
  if (isPrivateBlock(block))
    throw new DeployError('BAD_INPUT', `${field} is a private range; the state account's firewall takes public addresses only`);
  if (block.prefixLength === 31)
    throw new DeployError('BAD_INPUT', `${field} is a /31, which Azure Storage refuses; list its two addresses separately`);
  return block.prefixLength === 32 ? formatIpv4(block.start) : `${formatIpv4(block.start)}/${block.prefixLength}`;
}

const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Creates the storage for the azurerm state backend, idempotently, with the Azure CLI.
 *
 * Each resource is looked up first and created only when missing: resource group, StorageV2 account
 * (HTTPS only, TLS 1.2, no public blob access, no shared keys), blob versioning and soft delete so an
 * overwritten or deleted state can be recovered, a `CanNotDelete` lock on the account, the blob
 * container (through ARM, `az storage container-rm`), and `Storage Blob Data Contributor` on the account
 * for the signed-in principal, because the synthesized backend authenticates with Entra ID
 * (`use_azuread_auth`). The backend locks state with blob leases; nothing else is needed for locking.
 *
 * Why the CLI and not terraform: a terraform config that creates its own state storage would need a
 * state of its own; the `az` commands are idempotent and need nothing but a login.
 *
 * @see https://learn.microsoft.com/azure/developer/terraform/store-state-in-azure-storage
 * @see https://developer.hashicorp.com/terraform/language/backend/azurerm
 */
export async function runStateBootstrap(options: StateBootstrapOptions): Promise<BootstrapAction[]> {
  const { backend, location, subscriptionId, az, log } = options;
  const days = options.retentionDays ?? 30;
  if (!STORAGE_ACCOUNT.test(backend.storageAccount)) {
    throw new DeployError(
      'BAD_INPUT',
      `'stateBackend.storageAccount' (${backend.storageAccount}) must be 3-24 lowercase letters and digits`,
    );
  }
  if (!CONTAINER.test(backend.container)) {
    throw new DeployError(
      'BAD_INPUT',
      `'stateBackend.container' (${backend.container}) must be 3-63 lowercase letters, digits and single hyphens, starting and ending alphanumeric`,
    );
  }
  const ipRules = (options.allowedCidrs ?? []).map(storageIpRule);
  const sub = ['--subscription', subscriptionId];
  const actions: BootstrapAction[] = [];
  const show = (args: readonly string[]): string => `az ${args.join(' ')}`;

  const call = async (args: string[], what: string): Promise<AzResult> => {
    const result = await az(args);
    if (result.exitCode !== 0) {
      throw new DeployError(
        'STEP_FAILED',
        `state-bootstrap: ${what} failed (${show(args)}):\n${result.stderr.trim() || `exit code ${result.exitCode}`}`,
        { step: 'state-bootstrap' },
      );
    }
    return result;
  };
  const exists = async (args: string[]): Promise<boolean> => (await az(args)).exitCode === 0;
  const change = async (resource: string, args: string[], created: BootstrapAction['status']): Promise<void> => {
    if (options.dryRun) {
      actions.push({ resource, status: created === 'created' ? 'would-create' : 'would-configure', command: show(args) });
      log(`would run: ${show(args)}`);
      return;
    }
    log(`${created === 'created' ? 'creating' : 'configuring'} ${resource}`);
    await call(args, resource);
    actions.push({ resource, status: created, command: show(args) });
  };

  // Resource group.
  const rg = `resource group ${backend.resourceGroup}`;
  const rgExists = await call(['group', 'exists', '--name', backend.resourceGroup, ...sub, '--output', 'tsv'], `checking ${rg}`);
  if (rgExists.stdout.trim() === 'true') actions.push({ resource: rg, status: 'exists', command: '' });
  else
    await change(rg, ['group', 'create', '--name', backend.resourceGroup, '--location', location, ...sub, '--output', 'none'], 'created');

  // Storage account.
  const sa = `storage account ${backend.storageAccount}`;
  const saArgs = ['--name', backend.storageAccount, '--resource-group', backend.resourceGroup, ...sub];
  if (await exists(['storage', 'account', 'show', ...saArgs, '--output', 'none']))
    actions.push({ resource: sa, status: 'exists', command: '' });
  else {
    await change(
      sa,
      [
        'storage',
        'account',
        'create',
        ...saArgs,
        '--location',
        location,
        '--sku',
        'Standard_LRS',
        '--kind',
        'StorageV2',
        '--https-only',
        'true',
        '--min-tls-version',
        'TLS1_2',
        '--allow-blob-public-access',
        'false',
        '--allow-shared-key-access',
        'false',
        '--output',
        'none',
      ],
      'created',
    );
  }

  // Versioning and soft delete (idempotent update).
  await change(
    `blob versioning and ${days}-day soft delete on ${backend.storageAccount}`,
    [
      'storage',
      'account',
      'blob-service-properties',
      'update',
      '--account-name',
      backend.storageAccount,
      '--resource-group',
      backend.resourceGroup,
      ...sub,
      '--enable-versioning',
      'true',
      '--enable-delete-retention',
      'true',
      '--delete-retention-days',
      String(days),
      '--enable-container-delete-retention',
      'true',
      '--container-delete-retention-days',
      String(days),
      '--output',
      'none',
    ],
    'configured',
  );

  // Delete lock on the account (create-or-update is idempotent).
  await change(
    `delete lock on ${backend.storageAccount}`,
    [
      'lock',
      'create',
      '--name',
      'cvat-state-do-not-delete',
      '--lock-type',
      'CanNotDelete',
      '--resource-group',
      backend.resourceGroup,
      '--resource',
      backend.storageAccount,
      '--resource-type',
      'Microsoft.Storage/storageAccounts',
      ...sub,
      '--notes',
      'terraform state of cvat-cloud',
      '--output',
      'none',
    ],
    'configured',
  );

  if (ipRules.length > 0) {
    // Rules first, then deny by default, so the deploying operator is never shut out halfway.
    const listed = await az([
      'storage',
      'account',
      'network-rule',
      'list',
      '--account-name',
      backend.storageAccount,
      '--resource-group',
      backend.resourceGroup,
      ...sub,
      '--query',
      'ipRules[].ipAddressOrRange',
      '--output',
      'tsv',
    ]);
    const present = new Set(listed.exitCode === 0 ? listed.stdout.split(/\s+/).filter(Boolean) : []);
    for (const ip of ipRules) {
      if (present.has(ip)) {
        actions.push({ resource: `firewall rule ${ip} on ${backend.storageAccount}`, status: 'exists', command: '' });
        continue;
      }
      await change(
        `firewall rule ${ip} on ${backend.storageAccount}`,
        [
          'storage',
          'account',
          'network-rule',
          'add',
          '--account-name',
          backend.storageAccount,
          '--resource-group',
          backend.resourceGroup,
          ...sub,
          '--ip-address',
          ip,
          '--output',
          'none',
        ],
        'configured',
      );
    }
    await change(
      `firewall deny-by-default on ${backend.storageAccount}`,
      [
        'storage',
        'account',
        'update',
        '--name',
        backend.storageAccount,
        '--resource-group',
        backend.resourceGroup,
        ...sub,
        '--default-action',
        'Deny',
        '--bypass',
        'AzureServices',
        '--output',
        'none',
      ],
      'configured',
    );
  }

  // Container, through ARM.
  const ct = `blob container ${backend.storageAccount}/${backend.container}`;
  const ctArgs = [
    '--storage-account',
    backend.storageAccount,
    '--resource-group',
    backend.resourceGroup,
    '--name',
    backend.container,
    ...sub,
  ];
  let containerExists = false;
  if (!options.dryRun || actions.find((a) => a.resource === sa)?.status === 'exists') {
    const r = await az(['storage', 'container-rm', 'exists', ...ctArgs, '--output', 'json']);
    containerExists = r.exitCode === 0 && /"exists"\s*:\s*true/.test(r.stdout);
  }
  if (containerExists) actions.push({ resource: ct, status: 'exists', command: '' });
  else await change(ct, ['storage', 'container-rm', 'create', ...ctArgs, '--output', 'none'], 'created');

  // The synthesized backend uses Entra ID auth (use_azuread_auth), so the deploying principal needs a
  // data-plane role on the account; account keys stay disabled.
  const role = 'Storage Blob Data Contributor';
  const scope =
    `/subscriptions/${subscriptionId}/resourceGroups/${backend.resourceGroup}` +
    `/providers/Microsoft.Storage/storageAccounts/${backend.storageAccount}`;
  const who = await az(['account', 'show', ...sub, '--query', 'user.name', '--output', 'tsv']);
  const assignee = who.exitCode === 0 ? who.stdout.trim() : '';
  const roleResource = `'${role}' for ${assignee || '<signed-in principal>'} on ${backend.storageAccount}`;
  if (!assignee) {
    if (!options.dryRun)
      throw new DeployError('STEP_FAILED', `state-bootstrap: could not tell who is signed in (az account show): ${who.stderr.trim()}`, {
        step: 'state-bootstrap',
      });
    await change(
      roleResource,
      ['role', 'assignment', 'create', '--assignee', '<signed-in principal>', '--role', role, '--scope', scope, '--output', 'none'],
      'created',
    );
  } else {
    const listed = await az([
      'role',
      'assignment',
      'list',
      '--assignee',
      assignee,
      '--role',
      role,
      '--scope',
      scope,
      ...sub,
      '--query',
      'length(@)',
      '--output',
      'tsv',
    ]);
    if (listed.exitCode === 0 && Number(listed.stdout.trim()) > 0) actions.push({ resource: roleResource, status: 'exists', command: '' });
    else
      await change(
        roleResource,
        ['role', 'assignment', 'create', '--assignee', assignee, '--role', role, '--scope', scope, ...sub, '--output', 'none'],
        'created',
      );
  }

  log(
    options.dryRun
      ? 'state-bootstrap --dry-run: nothing was changed'
      : `state storage ready: ${backend.storageAccount}/${backend.container} (each stack's state key comes from the synthesized backend block)`,
  );
  return actions;
}
