/**
 * How many resource operations `terraform apply` may run at once for one stack, sized from the stack itself.
 *
 * Terraform walks the dependency graph and runs at most `-parallelism` operations at a time (default 10,
 * https://developer.hashicorp.com/terraform/cli/commands/apply#parallelism-n). The apps stack creates 15 container
 * apps and a job that depend only on foundation outputs, so with the default they are created in two waves and the
 * apply takes about twice the time of the slowest app. Sizing `-parallelism` to the widest set of resources with no
 * dependency path between them (the largest antichain of the graph) lets every independent resource start at once.
 */
import type { StackJson } from './manifest';

/** Terraform's own default `-parallelism`; a sized value is never lower. */
export const TERRAFORM_DEFAULT_PARALLELISM = 10;

/** Upper bound of `--parallelism` (a typo such as 10000 is refused rather than passed on). */
export const MAX_PARALLELISM = 256;

/** The resource graph of one synthesized stack: each managed resource or data source and what it references. */
export interface ResourceGraph {
  /** `type.name` for resources, `data.type.name` for data sources. */
  readonly nodes: readonly string[];
  /** Managed resources only (what apply creates). */
  readonly resources: readonly string[];
  /** node → nodes it references directly (`${type.name…}` expressions and `depends_on`). */
  readonly edges: ReadonlyMap<string, ReadonlySet<string>>;
}

/** `data.type.name` or `type.name` at the start of a traversal (`type.name.attr`, `data.type.name.outputs.x`). */
const REFERENCE = /(?<![A-Za-z0-9_.-])(data\.[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*|[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)/g;

/**
 * Builds the reference graph of a synthesized stack: a node per `resource.<type>.<name>` and `data.<type>.<name>`,
 * an edge wherever a node's body mentions another node inside a `${…}` expression or in `depends_on`. Resources
 * with `count`/`for_each` are one node (their instances are created side by side anyway).
 */
export function resourceGraph(json: StackJson): ResourceGraph {
  const bodies = new Map<string, unknown>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, body] of Object.entries(byName ?? {})) bodies.set(`${type}.${name}`, body);
  }
  const resources = [...bodies.keys()];
  for (const [type, byName] of Object.entries(json.data ?? {})) {
    for (const [name, body] of Object.entries(byName ?? {})) bodies.set(`data.${type}.${name}`, body);
  }
  const nodes = [...bodies.keys()];
  const known = new Set(nodes);
  const edges = new Map<string, Set<string>>();
  for (const [node, body] of bodies) {
    const refs = new Set<string>();
    const text = JSON.stringify(body);
    // Only inside interpolations and depends_on entries: plain strings such as names are not references.
    const exprs = [...text.matchAll(/\$\{([^"]*?)\}/g)].map((m) => m[1]!);
    const dependsOn = (body as { depends_on?: unknown }).depends_on;
    if (Array.isArray(dependsOn)) exprs.push(...dependsOn.filter((d): d is string => typeof d === 'string'));
    for (const expr of exprs) {
      for (const m of expr.matchAll(REFERENCE)) {
        const candidate = m[1]!;
        if (candidate !== node && known.has(candidate)) refs.add(candidate);
      }
    }
    edges.set(node, refs);
  }
  return { nodes, resources, edges };
}

/** Every node reachable from `node` by following references (its transitive dependencies). */
function closure(graph: ResourceGraph): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const visit = (node: string, path: Set<string>): Set<string> => {
    const done = memo.get(node);
    if (done) return done;
    const all = new Set<string>();
    path.add(node);
    for (const dep of graph.edges.get(node) ?? []) {
      if (path.has(dep)) continue; // a cycle terraform itself would refuse; ignore the back edge here
      all.add(dep);
      for (const d of visit(dep, path)) all.add(d);
    }
    path.delete(node);
    memo.set(node, all);
    return all;
  };
  for (const node of graph.nodes) visit(node, new Set());
  return memo;
}

/**
 * The largest number of managed resources no two of which depend on each other, directly or through other nodes
 * (a maximum antichain of the reference graph): how many creations terraform could run at the same moment.
 *
 * By Dilworth's theorem it equals the minimum number of chains covering the resources, `n − M`, where `M` is a
 * maximum matching of the bipartite graph "u before v" over the transitive closure (Kuhn's augmenting paths; the
 * stacks have tens of resources, so the cubic bound is nothing).
 */
export function independentResourceCount(graph: ResourceGraph): number {
  const reach = closure(graph);
  const resources = graph.resources;
  const index = new Map(resources.map((r, i) => [r, i]));
  // after[i] = resources that depend on resource i (i must come before them).
  const after: number[][] = resources.map(() => []);
  for (const [i, r] of resources.entries()) {
    for (const dep of reach.get(r) ?? []) {
      const j = index.get(dep);
      if (j !== undefined) after[j]!.push(i);
    }
  }
  const matchOf: number[] = resources.map(() => -1);
  const augment = (u: number, seen: boolean[]): boolean => {
    for (const v of after[u]!) {
      if (seen[v]) continue;
      seen[v] = true;
      if (matchOf[v] === -1 || augment(matchOf[v]!, seen)) {
        matchOf[v] = u;
        return true;
      }
    }
    return false;
  };
  let matching = 0;
  for (let u = 0; u < resources.length; u++)
    if (
      augment(
        u,
        resources.map(() => false),
      )
    )
      matching++;
  return resources.length - matching;
}

/** What {@link sizeParallelism} decided for one stack, for the log and the report. */
export interface ParallelismChoice {
  readonly value: number;
  /** `--parallelism`, or `sized` from the stack's graph. */
  readonly source: 'flag' | 'sized';
  /** Managed resources in the stack. */
  readonly resources: number;
  /** Largest set of mutually independent resources. */
  readonly independent: number;
}

/**
 * `-parallelism` for one stack: `--parallelism` when given, else the stack's independent-resource count, never
 * below terraform's default of 10 (a small stack keeps terraform's behaviour).
 *
 * @param override `--parallelism` @default - sized from the stack
 */
export function sizeParallelism(json: StackJson, override?: number): ParallelismChoice {
  const graph = resourceGraph(json);
  const independent = independentResourceCount(graph);
  const resources = graph.resources.length;
  if (override !== undefined) return { value: override, source: 'flag', resources, independent };
  return { value: Math.max(TERRAFORM_DEFAULT_PARALLELISM, independent), source: 'sized', resources, independent };
}
