import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPlanCounts, formatPlanSummary, summarizePlan } from '../../src/deploy/plan-summary';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

describe('summarizePlan', () => {
  it('counts creations of managed resources and output changes, leaving data-source reads out', () => {
    const s = summarizePlan(fixture('plan-initial-create.json'));
    expect([s.add, s.change, s.destroy, s.replace, s.import, s.forget]).toEqual([3, 0, 0, 0, 0, 0]);
    expect(s.changes.map((c) => c.address)).toEqual([
      'azurerm_resource_group.rg',
      'azurerm_storage_share.data',
      'azurerm_storage_share.keys',
    ]);
    expect(s.outputChanges).toEqual(['resource_group_name']);
    expect(s.hasChanges).toBe(true);
    expect(s.terraformVersion).toBe('1.11.4');
  });

  it('counts a replacement once in add and once in destroy, like terraform, and keeps order, reason and forcing paths', () => {
    const s = summarizePlan(fixture('plan-mixed-update.json'));
    expect(formatPlanCounts(s)).toBe('2 to add, 1 to change, 3 to destroy (2 REPLACED, 1 imported, 1 forgotten)');
    const cae = s.changes.find((c) => c.address === 'azurerm_container_app_environment.cae')!;
    expect(cae).toMatchObject({
      action: 'replace',
      replaceOrder: 'delete-then-create',
      reason: 'an attribute that cannot be updated in place changed',
      replacePaths: ['infrastructure_subnet_id'],
      stateful: false,
    });
    const db = s.changes.find((c) => c.address === 'azurerm_postgresql_flexible_server.db')!;
    expect(db).toMatchObject({
      action: 'replace',
      replaceOrder: 'create-then-delete',
      replacePaths: ['zone', 'high_availability[0].mode'],
      stateful: true,
    });
    expect(s.changes.find((c) => c.action === 'delete')).toMatchObject({
      address: 'azurerm_container_app.cvat-worker-legacy',
      reason: 'no longer in the configuration',
    });
    expect(s.changes.some((c) => c.address === 'azurerm_container_app.opa')).toBe(false);
    expect(s.outputChanges).toEqual(['environment_id']);
  });

  it('reports no changes when every resource and output is a no-op', () => {
    const s = summarizePlan(fixture('plan-no-changes.json'));
    expect(s.hasChanges).toBe(false);
    expect(s.changes).toEqual([]);
    expect(formatPlanSummary('foundation', s)).toEqual(['foundation: no changes']);
  });

  it('treats an import without other changes as a change worth applying', () => {
    const s = summarizePlan({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'azurerm_resource_group.rg',
          mode: 'managed',
          type: 'azurerm_resource_group',
          change: { actions: ['no-op'], importing: { id: '/x' } },
        },
      ],
    });
    expect(s.import).toBe(1);
    expect(s.hasChanges).toBe(true);
  });

  it.each([
    [{ format_version: '2.0' }, '\'format_version\' ("2.0") must be a 1.x version string'],
    [[], "'$' ([]) must be a JSON object"],
    [{ format_version: '1.2', resource_changes: {} }, "'resource_changes' ({}) must be an array"],
    [
      { format_version: '1.2', resource_changes: [{ address: 'a.b', change: { actions: ['explode'] } }] },
      '\'resource_changes[0].change.actions\' (["explode"]) must be a non-empty array',
    ],
    [
      { format_version: '1.2', resource_changes: [{ address: 'a.b', change: { actions: ['update', 'create'] } }] },
      '\'resource_changes[0].change.actions\' (["update","create"]) is not an action combination',
    ],
    [
      { format_version: '1.2', resource_changes: [{ change: { actions: ['create'] } }] },
      "'resource_changes[0].address' (undefined) must be a non-empty string",
    ],
  ])('rejects a malformed document %#, naming the field and the value', (doc, message) => {
    expect(() => summarizePlan(doc, 'apps plan')).toThrow(message);
    expect(() => summarizePlan(doc, 'apps plan')).toThrow(/^apps plan: /);
  });
});

describe('formatPlanSummary', () => {
  it('groups creations by type so an initial deploy stays readable', () => {
    const lines = formatPlanSummary('foundation', summarizePlan(fixture('plan-initial-create.json')));
    expect(lines).toEqual([
      'foundation: 3 to add, 0 to change, 0 to destroy',
      '  + create 3: azurerm_resource_group, azurerm_storage_share ×2',
      '  outputs changing: resource_group_name',
    ]);
  });

  it('calls replacements out loudly, with the reason, the forcing attribute and a banner naming stateful resources', () => {
    const lines = formatPlanSummary('foundation', summarizePlan(fixture('plan-mixed-update.json')));
    expect(lines).toContain('  ~ update azurerm_container_app.cvat-server');
    expect(lines).toContain(
      '  !! REPLACE azurerm_container_app_environment.cae (delete-then-create) — an attribute that cannot be updated in place ' +
        'changed; forced by: infrastructure_subnet_id',
    );
    expect(lines).toContain(
      '  !! REPLACE azurerm_postgresql_flexible_server.db (create-then-delete) — an attribute that cannot be updated in place ' +
        'changed; forced by: zone, high_availability[0].mode  [holds data]',
    );
    expect(lines).toContain('  - DESTROY azurerm_container_app.cvat-worker-legacy — no longer in the configuration');
    expect(lines).toContain('  !! 2 RESOURCE(S) WILL BE REPLACED: destroyed, then created again');
    expect(lines).toContain('  !! 1 STATEFUL RESOURCE(S) LOSE THEIR DATA OR NAME: azurerm_postgresql_flexible_server.db');
    expect(lines.filter((l) => /^ {2}!{72}$/.test(l))).toHaveLength(2);
  });

  it('lists every destruction of a destroy plan and flags the Key Vault as stateful', () => {
    const lines = formatPlanSummary('foundation', summarizePlan(fixture('plan-destroy.json')));
    expect(lines[0]).toBe('foundation: 0 to add, 0 to change, 2 to destroy');
    expect(lines).toContain('  - DESTROY azurerm_key_vault.kv  [holds data]');
    expect(lines).toContain('  - DESTROY azurerm_user_assigned_identity.apps');
    expect(lines).toContain('  !! 1 STATEFUL RESOURCE(S) LOSE THEIR DATA OR NAME: azurerm_key_vault.kv');
    expect(lines.some((l) => l.includes('WILL BE REPLACED'))).toBe(false);
  });
});
