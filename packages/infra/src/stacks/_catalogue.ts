/**
 * @internal Small views of the catalogue the stacks share: which components, storages and secrets
 * are in play and how a component is addressed inside the environment.
 */
import { enabledComponents, type Catalogue, type Component, type Storage } from '@cvat-cloud/catalogue';

/** @internal Components this environment deploys (enabled ones), in catalogue order. */
export function deployedComponents(catalogue: Catalogue): Component[] {
  return enabledComponents(catalogue);
}

/** @internal Components that become container apps or jobs (not the edge VM). */
export function containerComponents(catalogue: Catalogue): Component[] {
  return deployedComponents(catalogue).filter((c) => c.role !== 'edge');
}

/** @internal Storages mounted (or written with config files) by a deployed container component. */
export function usedStorages(catalogue: Catalogue): Storage[] {
  const used = new Set<string>();
  for (const c of containerComponents(catalogue)) {
    for (const m of c.mounts) used.add(m.storage);
    for (const f of c.configFiles) used.add(f.storage);
  }
  return catalogue.storages.filter((s) => used.has(s.name));
}

/** @internal The catalogue secret the backend reads as `CVAT_POSTGRES_PASSWORD` (the server's admin password). */
export function postgresPasswordSecret(catalogue: Catalogue): string | undefined {
  for (const c of catalogue.components) {
    for (const e of c.env) {
      if (e.name === 'CVAT_POSTGRES_PASSWORD' && 'secretRef' in e) return e.secretRef;
    }
  }
  return undefined;
}
