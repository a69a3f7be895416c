import type { Catalogue } from '@cvat-cloud/catalogue';
import { resources, type SynthesizedApp } from './policy/model';

/** One stack in the summary. */
export interface StackSummary {
  /** Stack name. */
  readonly name: string;
  /** Stacks it depends on. */
  readonly dependencies: readonly string[];
  /** Number of resources. */
  readonly resourceCount: number;
  /** Resource count per Terraform type. */
  readonly resourcesByType: Readonly<Record<string, number>>;
}

/** One catalogue component in the summary. */
export interface ComponentSummary {
  /** Component name (the app, job or VM). */
  readonly name: string;
  /** Catalogue role. */
  readonly role: string;
  /** What it became: `container app`, `job`, `edge vm` or `disabled`. */
  readonly deployedAs: string;
  /** `repository:tag`. */
  readonly image: string;
  /** vCPU per replica. */
  readonly cpuCores: number;
  /** GiB per replica. */
  readonly memoryGiB: number;
  /** `min-max` replicas, or `-`. */
  readonly replicas: string;
  /** `tcp :8080 (vnet)`, `http :80 (env)` or `-`. */
  readonly ingress: string;
  /** Storages mounted. */
  readonly mounts: readonly string[];
}

/** What `nx run infra:synth` prints. */
export interface SynthSummary {
  /** Environment name. */
  readonly environment: string;
  /** Output directory. */
  readonly outdir: string;
  /** Stacks in dependency order. */
  readonly stacks: readonly StackSummary[];
  /** Every catalogue component, in catalogue order. */
  readonly components: readonly ComponentSummary[];
}

/** Orders stacks so each comes after its dependencies (manifest order otherwise). */
export function orderStacks<T extends { name: string; dependencies: readonly string[] }>(stacks: readonly T[]): T[] {
  const result: T[] = [];
  const visit = (s: T, path: string[]) => {
    if (result.includes(s) || path.includes(s.name)) return;
    for (const d of s.dependencies) {
      const dep = stacks.find((x) => x.name === d);
      if (dep) visit(dep, [...path, s.name]);
    }
    result.push(s);
  };
  for (const s of stacks) visit(s, []);
  return result;
}

/**
 * Summarizes a synthesized app: stacks in dependency order with resource counts by type, and a
 * table of every catalogue component with what it was deployed as.
 */
export function summarize(app: SynthesizedApp, catalogue: Catalogue, environment: string, outdir: string): SynthSummary {
  const stacks = orderStacks(app.stacks).map((s) => {
    const byType: Record<string, number> = {};
    for (const r of resources({ stacks: [s] })) byType[r.type] = (byType[r.type] ?? 0) + 1;
    const sorted = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
    return {
      name: s.name,
      dependencies: s.dependencies,
      resourceCount: Object.values(byType).reduce((a, b) => a + b, 0),
      resourcesByType: sorted,
    };
  });
  const deployed = new Map<string, string>();
  for (const r of resources(app, 'azurerm_container_app')) deployed.set(String(r.body.name), 'container app');
  for (const r of resources(app, 'azurerm_container_app_job')) deployed.set(String(r.body.name), 'job');
  const hasVm = resources(app, 'azurerm_linux_virtual_machine').length > 0;
  const components = catalogue.components.map((c) => ({
    name: c.name,
    role: c.role,
    deployedAs: c.role === 'edge' ? (hasVm && c.enabled ? 'edge vm' : 'disabled') : (deployed.get(c.name) ?? 'disabled'),
    image: `${c.image.repository}:${c.image.tag}`,
    cpuCores: c.resources.cpuCores,
    memoryGiB: c.resources.memoryGiB,
    replicas: c.role === 'job' || c.role === 'edge' ? '-' : `${c.replicas.min}-${c.replicas.max}`,
    ingress: c.ingress ? ingressText(c.ingress) : '-',
    mounts: c.mounts.map((m) => m.storage).filter((m, i, all) => all.indexOf(m) === i),
  }));
  return { environment, outdir, stacks, components };
}

/** Ingress of a component as `<transport> :<port> (vnet|env)`; the port is the exposed port for TCP, 80 for HTTP. */
function ingressText(ingress: NonNullable<Catalogue['components'][number]['ingress']>): string {
  const port = ingress.transport === 'tcp' ? (ingress.exposedPort ?? ingress.targetPort) : 80;
  return `${ingress.transport} :${port}${ingress.external ? ' (vnet)' : ' (env)'}`;
}

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** Renders a summary as plain text. */
export function formatSummary(summary: SynthSummary): string {
  const out: string[] = [];
  out.push(`Synthesized environment '${summary.environment}' to ${summary.outdir}`);
  out.push('');
  out.push(`Stacks (in order): ${summary.stacks.map((s) => s.name).join(' -> ')}`);
  for (const s of summary.stacks) {
    out.push('');
    out.push(`${s.name}: ${s.resourceCount} resources${s.dependencies.length ? ` (after ${s.dependencies.join(', ')})` : ''}`);
    for (const [type, count] of Object.entries(s.resourcesByType)) out.push(`  ${String(count).padStart(3)}  ${type}`);
  }
  out.push('');
  const deployed = summary.components.filter((c) => c.deployedAs !== 'disabled');
  out.push(`Components (${deployed.length} deployed of ${summary.components.length}):`);
  out.push(
    ...table(
      ['component', 'role', 'deployed as', 'image', 'cpu', 'GiB', 'replicas', 'ingress', 'mounts'],
      summary.components.map((c) => [
        c.name,
        c.role,
        c.deployedAs,
        c.image,
        String(c.cpuCores),
        String(c.memoryGiB),
        c.replicas,
        c.ingress,
        c.mounts.join(',') || '-',
      ]),
    ).map((l) => `  ${l}`),
  );
  return out.join('\n');
}
