import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  bindingsNodeModules,
  GENERATED_PATH,
  generateSchemas,
  readTypeSchema,
  renderGeneratedModule,
} from '../../src/validate/schema/generate';
import { GENERATED_SCHEMAS } from '../../src/validate/schema/generated';
import { COVERED_TYPES, schemaKey } from '../../src/validate/schema/covered';

describe('generated provider schema', () => {
  it('is what the generator reads from the installed bindings today (regenerate with node dist/validate/schema/generate.js)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderGeneratedModule(generateSchemas()));
  });

  it('covers every listed type and says which provider version it came from', () => {
    expect(Object.keys(GENERATED_SCHEMAS).sort()).toEqual(COVERED_TYPES.map((t) => schemaKey(t.kind, t.type)).sort());
    expect(GENERATED_SCHEMAS.azurerm_container_app.provider).toBe('hashicorp/azurerm 4.55.0');
    expect(GENERATED_SCHEMAS.random_password.provider).toBe('hashicorp/random 3.7.2');
    expect(GENERATED_SCHEMAS.time_sleep.provider).toBe('hashicorp/time 0.13.1');
  });

  it('reads required, nesting and computed-only facts the provider source states', () => {
    const app = GENERATED_SCHEMAS.azurerm_container_app.block;
    // container_app_resource.go Arguments: name Required, template helpers.ContainerTemplateSchema (Required, MaxItems 1)
    expect(app.attributes.name).toEqual({ required: true, type: 'string' });
    expect(app.blocks.template).toMatchObject({ required: true, nesting: 'single' });
    // ContainerAppContainerSchema: Required list; the probes' termination_grace_period_seconds is Computed only in 4.x
    const container = app.blocks.template.block.blocks.container;
    expect(container).toMatchObject({ required: true, nesting: 'list' });
    expect(container.block.blocks.liveness_probe.block.computedOnly).toContain('termination_grace_period_seconds');
    expect(container.block.blocks.startup_probe.block.attributes.port).toEqual({ required: true, type: 'number' });
    // SecretsSchema is a TypeSet; location is Computed on container apps
    expect(app.blocks.secret.nesting).toBe('set');
    expect(app.computedOnly).toContain('location');
    expect(GENERATED_SCHEMAS.random_password.block.computedOnly).toEqual(expect.arrayContaining(['result', 'bcrypt_hash']));
  });

  it('fails loudly when a binding module does not declare the expected type', () => {
    expect(() =>
      readTypeSchema(
        { kind: 'resource', type: 'azurerm_container_app', pkg: '@cdktf/provider-azurerm', module: 'container-app-job' },
        bindingsNodeModules(),
      ),
    ).toThrow(/declares 'azurerm_container_app_job', expected 'azurerm_container_app'/);
  });
});
