// Helpers for tests: fresh default catalogues and mutable access to components.
import * as v from 'valibot';
import {
  ComponentSchema,
  DEFAULT_QUEUE_RUNNERS,
  defaultCatalogue,
  runnerComponents,
  parseEnvironmentConfig,
  resolveCatalogue,
  type Catalogue,
  type Component,
  type EnvVar,
  type MutableCatalogue,
  type MutableComponent,
} from '../../src/index';

/** A fresh default catalogue (or `base()`) after `change` has modified it. */
export function changed(change: (c: MutableCatalogue) => void, base: () => MutableCatalogue = defaultCatalogue): MutableCatalogue {
  const c = base();
  change(c);
  return c;
}

/**
 * A fresh default catalogue (unresolved, like `defaultCatalogue()`) whose RQ runners are rebuilt for these
 * `queueRunners` over the defaults, as `resolveCatalogue` rebuilds them.
 */
export function defaultWithRunners(queueRunners: Record<string, string>): MutableCatalogue {
  const c = defaultCatalogue();
  const rebuilt = new Map(
    runnerComponents({ ...DEFAULT_QUEUE_RUNNERS, ...queueRunners }).map((x) => [x.name, v.parse(ComponentSchema, x) as MutableComponent]),
  );
  c.components = c.components.map((x) => rebuilt.get(x.name) ?? x);
  return c;
}

/** The component `name` of `c` (fails the test when missing); changeable when `c` is. */
export function comp(c: MutableCatalogue, name: string): MutableComponent;
export function comp(c: Catalogue, name: string): Component;
export function comp(c: Catalogue, name: string): Component {
  const x = c.components.find((y) => y.name === name);
  if (!x) throw new Error(`test setup: no component ${name}`);
  return x;
}

/** Removes env variable `name` from a component. */
export function dropEnv(x: MutableComponent, name: string): void {
  x.env = x.env.filter((e) => e.name !== name);
}

/** Replaces env variable `name` of a component. */
export function setEnv(x: MutableComponent, env: EnvVar): void {
  const i = x.env.findIndex((e) => e.name === env.name);
  if (i === -1) x.env.push(env);
  else x.env[i] = env;
}

/** Index of env variable `name` in a component. */
export function envIndex(x: Component, name: string): number {
  return x.env.findIndex((e) => e.name === name);
}

/**
 * The catalogue resolved for a minimal environment with these `queueRunners` (over the defaults); fails the test
 * setup when the environment is refused.
 */
export function resolvedWith(queueRunners: Record<string, string>): Catalogue {
  const parsed = parseEnvironmentConfig({
    name: 'dev',
    adminCidrs: ['203.0.113.0/24'],
    edge: { acmeEmail: 'o@cvat-cloud.dev' },
    queueRunners,
  });
  if (!parsed.value) throw new Error(`test setup: environment refused: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const r = resolveCatalogue(parsed.value);
  if (!r.value) throw new Error(`test setup: catalogue refused: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.value;
}
