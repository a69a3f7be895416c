import type { Catalogue } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { cpath, enabled } from './helpers';

/** Roles and references: role shapes, required components, mounts, config files, env references, dependencies. */
export const REFERENCE_RULES: readonly Rule<Catalogue>[] = [
  /** Role shapes: services and stores have ingress, workers/jobs/edge do not; only jobs have `job`; the edge has no mounts, secrets or scale rules. */
  defineRule('roleShape', 'Each role has the right shape (ingress, job settings, edge without mounts).', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of c.components) {
      if ((x.role === 'service' || x.role === 'store') && !x.ingress) {
        out.push(
          report.error(cpath(x, 'ingress'), undefined, `must be set for role "${x.role}" (other apps reach it through its ingress)`),
        );
      }
      if ((x.role === 'worker' || x.role === 'job' || x.role === 'edge') && x.ingress) {
        out.push(report.error(cpath(x, 'ingress'), x.ingress, `must not be set for role "${x.role}"`));
      }
      if (x.role === 'job' && !x.job) out.push(report.error(cpath(x, 'job'), undefined, 'must be set for role "job"'));
      if (x.role !== 'job' && x.job) out.push(report.error(cpath(x, 'job'), x.job, `must not be set for role "${x.role}"`));
      const eventJob = x.role === 'job' && x.job?.trigger === 'event';
      if (x.role === 'job' && !eventJob && x.scaleRules.length)
        out.push(
          report.error(
            cpath(x, 'scaleRules'),
            x.scaleRules.map((r) => r.name),
            'must be empty for a manual job (only event-triggered jobs have scale rules)',
          ),
        );
      if (eventJob && !x.job?.scale) out.push(report.error(cpath(x, 'job.scale'), undefined, 'must be set for an event-triggered job'));
      if (eventJob && x.enabled && !x.scaleRules.length)
        out.push(
          report.error(cpath(x, 'scaleRules'), [], 'must name at least one rule: an event-triggered job starts only from its rules'),
        );
      if (x.job?.trigger !== 'event' && x.job?.scale)
        out.push(report.error(cpath(x, 'job.scale'), x.job.scale, 'must not be set unless job.trigger is "event"'));
      const runnerRole = x.runner === 'always-on' ? 'worker' : x.runner === 'event-job' ? 'job' : undefined;
      if (runnerRole && x.role !== runnerRole)
        out.push(report.error(cpath(x, 'role'), x.role, `must be "${runnerRole}" for runner "${x.runner}"`));
      if (x.runner === 'event-job' && !eventJob)
        out.push(report.error(cpath(x, 'job.trigger'), x.job?.trigger, 'must be "event" for runner "event-job"'));
      if (x.role === 'edge') {
        for (const field of ['mounts', 'secrets', 'scaleRules', 'queues', 'configFiles'] as const) {
          if (x[field].length) out.push(report.error(cpath(x, field), x[field], 'must be empty for the edge (a VM, not a container app)'));
        }
      }
      if (x.queues.length && x.role !== 'worker' && !eventJob)
        out.push(report.error(cpath(x, 'queues'), x.queues, 'must be empty unless the role is "worker" or the job is event-triggered'));
    }
    return out;
  }),
  /** Components that are not optional are always enabled. */
  defineRule('requiredComponentsEnabled', 'Non-optional components are enabled.', (c, report) => {
    return c.components
      .filter((x) => !x.optional && !x.enabled)
      .map((x) => report.error(cpath(x, 'enabled'), false, 'must be true: the component is not optional'));
  }),
  /** Every mount names a declared storage, and mount paths are unique per component. */
  defineRule('mountsReferenceStorages', 'Every mount names a declared storage.', (c, report) => {
    const out: RuleIssue[] = [];
    const names = new Set(c.storages.map((s) => s.name));
    for (const x of enabled(c)) {
      const paths = new Set<string>();
      x.mounts.forEach((m, i) => {
        if (!names.has(m.storage)) {
          out.push(
            report.error(cpath(x, `mounts[${i}].storage`), m.storage, `must name a declared storage (one of ${[...names].join(', ')})`),
          );
        }
        if (paths.has(m.mountPath))
          out.push(report.error(cpath(x, `mounts[${i}].mountPath`), m.mountPath, 'must be unique within the component'));
        paths.add(m.mountPath);
      });
    }
    return out;
  }),
  /** Config files go into an SMB or NFS share that the component mounts, under the mounted subPath. */
  defineRule('configFilesReferenceMounts', 'Config files go into a mounted share.', (c, report) => {
    const out: RuleIssue[] = [];
    const storages = new Map(c.storages.map((s) => [s.name, s]));
    for (const x of enabled(c)) {
      x.configFiles.forEach((f, i) => {
        const s = storages.get(f.storage);
        if (!s) {
          out.push(report.error(cpath(x, `configFiles[${i}].storage`), f.storage, 'must name a declared storage'));
          return;
        }
        if (s.kind === 'ephemeral') {
          out.push(
            report.error(
              cpath(x, `configFiles[${i}].storage`),
              f.storage,
              'must be an smb or nfs share (files cannot be uploaded into an ephemeral volume)',
            ),
          );
        }
        const covered = x.mounts.some((m) => m.storage === f.storage && (!m.subPath || f.path.startsWith(`${m.subPath}/`)));
        if (!covered) {
          out.push(
            report.error(
              cpath(x, `configFiles[${i}].path`),
              f.path,
              `must lie under a subPath of "${f.storage}" that the component mounts`,
            ),
          );
        }
      });
    }
    return out;
  }),
  /**
   * Every env reference resolves: a `secretRef` names a declared secret listed in the component's
   * `secrets`; a `componentRef` names an enabled component, with ingress unless the part is `image`; `onlyWith` names a
   * component; env names are unique per component; listed secrets exist (unused ones warn).
   */
  defineRule(
    'envReferencesResolve',
    'Every env reference names a declared secret or an enabled component (with ingress for an address).',
    (c, report) => {
      const out: RuleIssue[] = [];
      const secrets = new Set(c.secrets.map((s) => s.name));
      const components = new Map(c.components.map((x) => [x.name, x]));
      for (const x of enabled(c)) {
        const seen = new Set<string>();
        const used = new Set<string>();
        x.env.forEach((e, i) => {
          const p = cpath(x, `env[${i}]`);
          if (seen.has(e.name)) out.push(report.error(`${p}.name`, e.name, 'must be unique within the component'));
          seen.add(e.name);
          if (e.onlyWith !== undefined && !components.has(e.onlyWith)) {
            out.push(report.error(`${p}.onlyWith`, e.onlyWith, 'must name a declared component'));
          }
          if ('secretRef' in e) {
            used.add(e.secretRef);
            if (!secrets.has(e.secretRef))
              out.push(report.error(`${p}.secretRef`, e.secretRef, `must name a declared secret (one of ${[...secrets].join(', ')})`));
            else if (!x.secrets.includes(e.secretRef))
              out.push(report.error(`${p}.secretRef`, e.secretRef, `must be listed in '${cpath(x, 'secrets')}'`));
          }
          if ('componentRef' in e) {
            const target = components.get(e.componentRef.component);
            if (!target) out.push(report.error(`${p}.componentRef.component`, e.componentRef.component, 'must name a declared component'));
            else if (!target.enabled)
              out.push(
                report.error(
                  `${p}.componentRef.component`,
                  e.componentRef.component,
                  'must name an enabled component (or set onlyWith so the variable is dropped with it)',
                ),
              );
            else if (!target.ingress && e.componentRef.part !== 'image')
              out.push(
                report.error(
                  `${p}.componentRef.component`,
                  e.componentRef.component,
                  `must name a component with ingress for part "${e.componentRef.part}" (only those have an address in the environment)`,
                ),
              );
          }
        });
        x.scaleRules.forEach((r, i) => {
          (r.auth ?? []).forEach((a, j) => {
            used.add(a.secretRef);
            if (!secrets.has(a.secretRef))
              out.push(report.error(cpath(x, `scaleRules[${i}].auth[${j}].secretRef`), a.secretRef, 'must name a declared secret'));
            else if (!x.secrets.includes(a.secretRef))
              out.push(
                report.error(cpath(x, `scaleRules[${i}].auth[${j}].secretRef`), a.secretRef, `must be listed in '${cpath(x, 'secrets')}'`),
              );
          });
        });
        x.secrets.forEach((s, i) => {
          if (!secrets.has(s)) out.push(report.error(cpath(x, `secrets[${i}]`), s, 'must name a declared secret'));
          else if (!used.has(s))
            out.push(report.warning(cpath(x, `secrets[${i}]`), s, 'is listed but never referenced by env or a scale rule'));
        });
      }
      return out;
    },
  ),
  /** Every `dependsOn` names a declared component other than itself. References to disabled optional components are ignored by the derived views. */
  defineRule('dependsOnDeclared', 'Every dependsOn names a declared component.', (c, report) => {
    const out: RuleIssue[] = [];
    const names = new Set(c.components.map((x) => x.name));
    for (const x of c.components) {
      x.dependsOn.forEach((d, i) => {
        if (!names.has(d)) out.push(report.error(cpath(x, `dependsOn[${i}]`), d, 'must name a declared component'));
        else if (d === x.name) out.push(report.error(cpath(x, `dependsOn[${i}]`), d, 'must not be the component itself'));
      });
    }
    return out;
  }),
  /** The dependency graph of enabled components has no cycle (deploy and destroy order need one). */
  defineRule('noDependencyCycles', 'The dependency graph has no cycle.', (c, report) => {
    const graph = new Map(enabled(c).map((x) => [x.name, x.dependsOn.filter((d) => d !== x.name)]));
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const cycles: string[][] = [];
    const visit = (n: string): void => {
      state.set(n, 1);
      stack.push(n);
      for (const d of graph.get(n) ?? []) {
        if (!graph.has(d)) continue;
        if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(n, 2);
    };
    for (const n of graph.keys()) if (!state.has(n)) visit(n);
    return cycles.map((cycle) =>
      report.error(`components.${cycle[0]}.dependsOn`, cycle.join(' -> '), 'must not form a cycle; remove one of these dependsOn entries'),
    );
  }),
];
