/**
 * Resolving component names given on the command line against the catalogue.
 */
import type { Catalogue, Component } from '@cvat-cloud/catalogue';
import { EXIT, CliError } from '@cvat-cloud/runtime';
import { isAcaComponent } from '../drift/expected';
import { messages } from './messages';

/** Catalogue components that are Azure Container Apps resources (apps and jobs, enabled or not; not the edge VM). */
export function acaCatalogueComponents(catalogue: Catalogue): Component[] {
  return catalogue.components.filter(isAcaComponent);
}

/**
 * Maps names to catalogue components, keeping the user's order and dropping duplicates. Throws `CliError` USAGE
 * naming every unknown name and listing the valid ones; nothing has been changed at that point.
 */
export function resolveComponents(catalogue: Catalogue, names: readonly string[], command: string): Component[] {
  const known = acaCatalogueComponents(catalogue);
  const byName = new Map(known.map((c) => [c.name, c]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    const edge = catalogue.components.find((c) => c.role === 'edge' && unknown.includes(c.name));
    throw new CliError(
      EXIT.USAGE,
      messages.unknownComponents(
        command,
        unknown,
        known.map((c) => c.name),
        edge?.name,
      ),
    );
  }
  return [...new Set(names)].map((n) => byName.get(n)!);
}

/**
 * Sorts components for teardown: dependents before what they depend on (the catalogue's destroy order). Components
 * the destroy order does not list (e.g. disabled ones) come first: nothing enabled depends on them.
 */
export function inDestroyOrder(components: readonly Component[], destroyOrder: readonly string[]): Component[] {
  const rank = new Map(destroyOrder.map((n, i) => [n, i]));
  return [...components].sort((a, b) => (rank.get(a.name) ?? -1) - (rank.get(b.name) ?? -1));
}
