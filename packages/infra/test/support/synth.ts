// Test helpers: synthesize the real example environment (or a variant of it) into a temp dir
// under .tmp-test and read it back as the policy model, so tests assert on the same JSON that
// `nx run infra:synth` writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import {
  loadEnvironmentConfig,
  parseEnvironmentConfig,
  resolveCatalogue,
  type Catalogue,
  type EnvironmentConfig,
} from '@cvat-cloud/catalogue';
import { buildApp, REPO_ROOT, type CvatApp } from '../../src/app';
import { loadSynthesizedApp, type SynthesizedApp } from '../../src/policy/model';

/** The committed example environment, validated. */
export function exampleConfig(): EnvironmentConfig {
  const loaded = loadEnvironmentConfig('example', { cwd: REPO_ROOT });
  if (!loaded.value) throw new Error(`example environment invalid: ${JSON.stringify(loaded.errors)}`);
  return loaded.value;
}

/**
 * The example environment with fields replaced (objects merged one level deep, except variants such
 * as `stateBackend`, which are replaced whole), re-validated.
 */
export function configWith(patch: Record<string, unknown>): EnvironmentConfig {
  const base = exampleConfig() as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const mergeable = k !== 'stateBackend' && v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object';
    merged[k] = mergeable ? { ...(base[k] as object), ...(v as object) } : v;
  }
  const parsed = parseEnvironmentConfig(merged);
  if (!parsed.value) throw new Error(`patched environment invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
}

/** The catalogue an environment deploys. */
export function catalogueFor(config: EnvironmentConfig): Catalogue {
  const resolved = resolveCatalogue(config);
  if (!resolved.value) throw new Error(`catalogue invalid: ${JSON.stringify(resolved.errors)}`);
  return resolved.value;
}

/** A synthesized environment: the app, its stacks and the JSON read back from disk. */
export interface Synthesized extends CvatApp {
  readonly config: EnvironmentConfig;
  readonly catalogue: Catalogue;
  readonly outdir: string;
  readonly model: SynthesizedApp;
  /** The parsed cdk.tf.json of a stack. */
  stack(name: string): Record<string, any>;
  /** Removes the output directory. */
  dispose(): void;
}

/** Builds and synthesizes an environment into a fresh temp dir (under TMPDIR = .tmp-test). */
export function synthesize(config: EnvironmentConfig = exampleConfig(), catalogue: Catalogue = catalogueFor(config)): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
  const built = buildApp({ config, catalogue, outdir, stateRoot: resolve(outdir, '..', 'state') });
  built.app.synth();
  const model = loadSynthesizedApp(outdir);
  return {
    ...built,
    config,
    catalogue,
    outdir,
    model,
    stack: (name) => {
      const s = model.stacks.find((x) => x.name === name);
      if (!s) throw new Error(`no stack ${name}`);
      return s.json as Record<string, any>;
    },
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** A deep copy of a synthesized app, for tests that mutate it. */
export function cloneModel(model: SynthesizedApp): { stacks: { name: string; dependencies: string[]; json: Record<string, any> }[] } {
  return structuredClone(model) as never;
}

/**
 * Synthesizes a scope holding only the constructs `build` creates (with an azurerm provider), for
 * construct unit tests. Returns the stack JSON as a string for cdktf's matchers.
 */
export function synthScope(build: (scope: Construct) => void): string {
  return Testing.synthScope((scope) => {
    new AzurermProvider(scope, 'azurerm', { features: [{}] });
    build(scope);
  });
}

/** Resources of one type from a `synthScope` result, by logical id. */
export function resourcesOf(json: string, type: string): Record<string, Record<string, any>> {
  return (JSON.parse(json).resource?.[type] ?? {}) as Record<string, Record<string, any>>;
}

/** The single resource of a type from a `synthScope` result. */
export function onlyResource(json: string, type: string): Record<string, any> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}
