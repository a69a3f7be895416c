import { DeployError } from './errors';

/** What terraform will do to one managed resource. */
export type PlannedAction = 'create' | 'update' | 'delete' | 'replace' | 'forget';

/** One resource change from the plan, reduced to what a person must see. */
export interface PlannedChange {
  /** Resource address, e.g. `azurerm_container_app.cvat-server`. */
  readonly address: string;
  /** Resource type, e.g. `azurerm_container_app`. */
  readonly type: string;
  readonly action: PlannedAction;
  /** For replacements: `delete-then-create` (the default) or `create-then-delete` (create_before_destroy). */
  readonly replaceOrder?: 'delete-then-create' | 'create-then-delete';
  /** Why terraform chose this action, in words (from `action_reason`). */
  readonly reason?: string;
  /** Attribute paths that force the replacement (from `replace_paths`), e.g. `infrastructure_subnet_id`. */
  readonly replacePaths: readonly string[];
  /** True when the resource is being imported as part of this plan. */
  readonly importing: boolean;
  /** True for resource types whose replacement or deletion loses data or a name others depend on. */
  readonly stateful: boolean;
}

/**
 * Counts and notable changes of one saved plan, parsed from `terraform show -json <planfile>`.
 *
 * The counts follow terraform's own "Plan: X to add, Y to change, Z to destroy" line: a replacement counts
 * once in `add` and once in `destroy`, and is also counted in `replace`.
 *
 * @see https://developer.hashicorp.com/terraform/internals/json-format#plan-representation
 */
export interface PlanSummary {
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  readonly import: number;
  readonly forget: number;
  /** Every managed-resource change, in plan order (no-ops and data-source reads left out). */
  readonly changes: readonly PlannedChange[];
  /** Names of root outputs whose value changes. */
  readonly outputChanges: readonly string[];
  /** True when anything (a resource, an import or an output) changes. */
  readonly hasChanges: boolean;
}

/**
 * Resource types whose replacement or deletion is not routine: it loses stored data (databases, file
 * shares, secrets, generated passwords, logs) or a globally visible name or address.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  'azurerm_postgresql_flexible_server',
  'azurerm_postgresql_flexible_server_database',
  'azurerm_storage_account',
  'azurerm_storage_share',
  'azurerm_key_vault',
  'azurerm_key_vault_secret',
  'azurerm_log_analytics_workspace',
  'azurerm_public_ip',
  'random_password',
];

const ACTION_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: 'tainted: a previous apply failed part-way through creating it',
  replace_because_cannot_update: 'an attribute that cannot be updated in place changed',
  replace_by_request: 'requested with --replace',
  replace_by_triggers: 'replace_triggered_by fired',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'count/for_each changed shape',
  delete_because_count_index: 'its count index is gone',
  delete_because_each_key: 'its for_each key is gone',
  delete_because_no_move_target: 'its moved-to address does not exist',
};

const KNOWN_ACTIONS = new Set(['no-op', 'create', 'read', 'update', 'delete', 'forget']);

function fail(source: string, path: string, value: unknown, allowed: string): never {
  throw new DeployError('BAD_INPUT', `${source}: '${path}' (${JSON.stringify(value)}) ${allowed}`);
}

function formatPath(path: unknown): string {
  if (!Array.isArray(path)) return String(path);
  return path.reduce<string>(
    (acc, step) => (typeof step === 'number' ? `${acc}[${step}]` : acc ? `${acc}.${String(step)}` : String(step)),
    '',
  );
}

/**
 * Parses a `terraform show -json <planfile>` document (format 1.x, written by terraform ≥ 1.0 and
 * OpenTofu) into a {@link PlanSummary}.
 *
 * Malformed input is an error naming the field path and the value; the document is never trusted blindly.
 *
 * @param doc the parsed JSON
 * @param source a name for error messages, e.g. `apps plan`
 */
export function summarizePlan(doc: unknown, source = 'plan'): PlanSummary {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail(source, '$', doc, 'must be a JSON object from `terraform show -json`');
  const d = doc as Record<string, unknown>;
  if (typeof d.format_version !== 'string' || !/^1\./.test(d.format_version)) {
    fail(source, 'format_version', d.format_version, 'must be a 1.x version string (the plan JSON format this parser knows)');
  }
  const rawChanges = d.resource_changes ?? [];
  if (!Array.isArray(rawChanges)) fail(source, 'resource_changes', rawChanges, 'must be an array');
  const changes: PlannedChange[] = [];
  let imports = 0;
  (rawChanges as unknown[]).forEach((rc, i) => {
    const at = `resource_changes[${i}]`;
    if (typeof rc !== 'object' || rc === null) fail(source, at, rc, 'must be an object');
    const r = rc as Record<string, unknown>;
    if (typeof r.address !== 'string' || r.address === '') fail(source, `${at}.address`, r.address, 'must be a non-empty string');
    if (r.mode === 'data') return;
    const change = r.change as Record<string, unknown> | undefined;
    if (typeof change !== 'object' || change === null) fail(source, `${at}.change`, change, 'must be an object');
    const actions = change.actions;
    if (!Array.isArray(actions) || actions.length === 0 || actions.some((a) => typeof a !== 'string' || !KNOWN_ACTIONS.has(a))) {
      fail(source, `${at}.change.actions`, actions, `must be a non-empty array of ${[...KNOWN_ACTIONS].join(', ')}`);
    }
    const type = typeof r.type === 'string' ? r.type : (r.address.split('.').slice(-2, -1)[0] ?? '');
    const importing = typeof change.importing === 'object' && change.importing !== null;
    if (importing) imports += 1;
    const key = (actions as string[]).join(',');
    let action: PlannedAction | undefined;
    let replaceOrder: PlannedChange['replaceOrder'];
    if (key === 'create') action = 'create';
    else if (key === 'update') action = 'update';
    else if (key === 'delete') action = 'delete';
    else if (key === 'forget') action = 'forget';
    else if (key === 'delete,create') {
      action = 'replace';
      replaceOrder = 'delete-then-create';
    } else if (key === 'create,delete') {
      action = 'replace';
      replaceOrder = 'create-then-delete';
    } else if (key === 'no-op' || key === 'read') action = undefined;
    else fail(source, `${at}.change.actions`, actions, 'is not an action combination terraform produces');
    if (!action) return;
    const reasonCode = typeof r.action_reason === 'string' ? r.action_reason : undefined;
    const replacePaths = Array.isArray(change.replace_paths) ? change.replace_paths.map(formatPath) : [];
    changes.push({
      address: r.address,
      type,
      action,
      replaceOrder,
      reason: reasonCode ? (ACTION_REASONS[reasonCode] ?? reasonCode) : undefined,
      replacePaths,
      importing,
      stateful: STATEFUL_RESOURCE_TYPES.includes(type),
    });
  });
  const count = (a: PlannedAction): number => changes.filter((c) => c.action === a).length;
  const replace = count('replace');
  const outputChanges: string[] = [];
  const rawOutputs = d.output_changes ?? {};
  if (typeof rawOutputs !== 'object' || rawOutputs === null || Array.isArray(rawOutputs))
    fail(source, 'output_changes', rawOutputs, 'must be an object');
  for (const [name, oc] of Object.entries(rawOutputs as Record<string, { actions?: unknown }>)) {
    const acts = oc?.actions;
    if (Array.isArray(acts) && acts.some((a) => a !== 'no-op')) outputChanges.push(name);
  }
  const summary = {
    formatVersion: d.format_version as string,
    terraformVersion: typeof d.terraform_version === 'string' ? d.terraform_version : undefined,
    add: count('create') + replace,
    change: count('update'),
    destroy: count('delete') + replace,
    replace,
    import: imports,
    forget: count('forget'),
    changes,
    outputChanges,
  };
  return { ...summary, hasChanges: changes.length > 0 || imports > 0 || outputChanges.length > 0 };
}

/** One-line counts, e.g. `3 to add, 1 to change, 1 to destroy (1 REPLACED)`. */
export function formatPlanCounts(s: PlanSummary): string {
  const parts = [`${s.add} to add`, `${s.change} to change`, `${s.destroy} to destroy`];
  const extra: string[] = [];
  if (s.replace) extra.push(`${s.replace} REPLACED`);
  if (s.import) extra.push(`${s.import} imported`);
  if (s.forget) extra.push(`${s.forget} forgotten`);
  if (!s.changes.length && s.outputChanges.length) extra.push(`${s.outputChanges.length} output(s) changed`);
  return parts.join(', ') + (extra.length ? ` (${extra.join(', ')})` : '');
}

/**
 * Renders a plan summary for a terminal.
 *
 * Creations are grouped by type (an initial deploy creates dozens); updates, deletions and replacements
 * are listed one by one. Replacements and deletions of stateful resources get a banner that cannot be
 * missed.
 *
 * @param stack stack name, used as the heading
 */
export function formatPlanSummary(stack: string, s: PlanSummary): string[] {
  const lines: string[] = [`${stack}: ${s.hasChanges ? formatPlanCounts(s) : 'no changes'}`];
  const creates = s.changes.filter((c) => c.action === 'create');
  if (creates.length) {
    const byType = new Map<string, number>();
    for (const c of creates) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
    lines.push(`  + create ${creates.length}: ${[...byType].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(', ')}`);
  }
  for (const c of s.changes.filter((x) => x.action === 'update')) lines.push(`  ~ update ${c.address}${c.importing ? ' (import)' : ''}`);
  for (const c of s.changes.filter((x) => x.action === 'forget')) lines.push(`  . forget ${c.address} (removed from state, left in Azure)`);
  for (const c of s.changes.filter((x) => x.action === 'delete')) {
    lines.push(`  - DESTROY ${c.address}${c.reason ? ` — ${c.reason}` : ''}${c.stateful ? '  [holds data]' : ''}`);
  }
  for (const c of s.changes.filter((x) => x.action === 'replace')) {
    const why = [c.reason, c.replacePaths.length ? `forced by: ${c.replacePaths.join(', ')}` : undefined].filter(Boolean).join('; ');
    lines.push(`  !! REPLACE ${c.address} (${c.replaceOrder})${why ? ` — ${why}` : ''}${c.stateful ? '  [holds data]' : ''}`);
  }
  const replaced = s.changes.filter((x) => x.action === 'replace');
  const lostData = s.changes.filter((x) => (x.action === 'replace' || x.action === 'delete') && x.stateful);
  if (replaced.length || lostData.length) {
    const bar = `  ${'!'.repeat(72)}`;
    lines.push(bar);
    if (replaced.length) lines.push(`  !! ${replaced.length} RESOURCE(S) WILL BE REPLACED: destroyed, then created again`);
    if (lostData.length)
      lines.push(`  !! ${lostData.length} STATEFUL RESOURCE(S) LOSE THEIR DATA OR NAME: ${lostData.map((c) => c.address).join(', ')}`);
    lines.push(bar);
  }
  if (s.outputChanges.length) lines.push(`  outputs changing: ${s.outputChanges.join(', ')}`);
  return lines;
}
