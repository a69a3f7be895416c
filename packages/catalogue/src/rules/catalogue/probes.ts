import { ACA_LIMITS } from '../../data/aca-limits';
import { OPA_SERVER_IMAGE_ENV } from '../../data/components';
import { OPA_IMAGE_REPOSITORY, opaBundles, UPSTREAM_OPA_BUNDLE_POLLING } from '../../derivations/opa-bundles';
import { WORKER_LIVENESS, workerLivenessScript } from '../../derivations/worker-liveness';
import type { Catalogue, Component, Probe } from '../../schema/catalogue';
import { defineRule, type Rule, type RuleIssue } from '../issues';
import { cpath, enabled, findEnv, isCvatBackend, envKind } from './helpers';

/** Ingress and probes: exposed ports, OPA, liveness/readiness/startup probes and their ranges. */
export const PROBE_RULES: readonly Rule<Catalogue>[] = [
  /** TCP ingress has an explicit exposed port (1-65535, not 80/443), unique in the environment; HTTP ingress has none. */
  defineRule('uniqueExposedTcpPorts', 'TCP exposed ports are explicit, allowed and unique.', (c, report) => {
    const out: RuleIssue[] = [];
    const owners = new Map<number, string>();
    for (const x of enabled(c)) {
      const ing = x.ingress;
      if (!ing) continue;
      if (ing.transport === 'http') {
        if (ing.exposedPort !== undefined)
          out.push(
            report.error(
              cpath(x, 'ingress.exposedPort'),
              ing.exposedPort,
              'must not be set for HTTP ingress (ACA serves HTTP on 80/443 only)',
            ),
          );
        continue;
      }
      if (ing.exposedPort === undefined) {
        out.push(
          report.error(cpath(x, 'ingress.exposedPort'), undefined, `must be set for TCP ingress so other apps reach ${x.name}:<port>`),
        );
        continue;
      }
      if ((ACA_LIMITS.tcpExposedPortsReserved as readonly number[]).includes(ing.exposedPort)) {
        out.push(
          report.error(
            cpath(x, 'ingress.exposedPort'),
            ing.exposedPort,
            `must not be ${ACA_LIMITS.tcpExposedPortsReserved.join(' or ')} for TCP ingress`,
          ),
        );
      }
      const owner = owners.get(ing.exposedPort);
      if (owner)
        out.push(
          report.error(cpath(x, 'ingress.exposedPort'), ing.exposedPort, `must be unique in the environment; ${owner} already exposes it`),
        );
      else owners.set(ing.exposedPort, x.name);
    }
    return out;
  }),
  /**
   * OPA is reachable as `opa:8181`: exactly one enabled OPA app, named `opa`, TCP ingress exposing
   * 8181 to target 8181, every CVAT backend sets CVAT_OPA_URL to it, its readiness probe is
   * `/health?bundles` (as upstream's chart) and its liveness probe does not wait for bundles.
   */
  defineRule(
    'opaReachable',
    'OPA is the app `opa` on TCP 8181, ready on /health?bundles, and every backend points CVAT_OPA_URL at it.',
    (c, report) => {
      const out: RuleIssue[] = [];
      const opas = enabled(c).filter((x) => x.image.repository === 'openpolicyagent/opa');
      if (opas.length !== 1) {
        out.push(
          report.error(
            'components',
            opas.map((x) => x.name),
            'must contain exactly one enabled openpolicyagent/opa component',
          ),
        );
        return out;
      }
      const opa = opas[0] as Component;
      if (opa.name !== 'opa')
        out.push(report.error(cpath(opa, 'name'), opa.name, 'must be "opa": CVAT (and its bundle polling) expect the host opa'));
      const ing = opa.ingress;
      if (ing?.transport !== 'tcp' || ing.exposedPort !== 8181 || ing.targetPort !== 8181) {
        out.push(
          report.error(cpath(opa, 'ingress'), ing, 'must be TCP ingress with targetPort 8181 and exposedPort 8181 (reachable as opa:8181)'),
        );
      }
      // cvat-ai/cvat@v2.73.0 helm-chart/values.yaml probes OPA on /health?bundles: ready only with CVAT's policy bundle.
      const ready = opa.probes.readiness;
      if (ready?.type !== 'http' || ready.path !== '/health?bundles') {
        const text = 'must be an http probe of /health?bundles (ready only once the CVAT policy bundle is activated)';
        out.push(report.error(cpath(opa, 'probes.readiness'), ready?.path ?? ready?.type, text));
      }
      // OPA's readiness waits for the bundle the server serves, and ACA fails the provisioning of a
      // revision whose probes never pass ("Failed to provision revision ... Operation expired",
      // https://github.com/hashicorp/terraform-provider-azurerm/issues/22432): the server must not wait
      // for OPA, or the first deployment deadlocks.
      for (const x of enabled(c).filter((y) => isCvatBackend(y) && y.role === 'service')) {
        const i = x.dependsOn.indexOf(opa.name);
        if (i !== -1) {
          const text = `must not name ${opa.name}: OPA becomes ready only after pulling its bundle from ${x.name}, so ${x.name} has to be deployed first`;
          out.push(report.error(cpath(x, `dependsOn[${i}]`), opa.name, text));
        }
      }
      const live = opa.probes.liveness;
      if (live?.path?.includes('bundles')) {
        const text = 'must not require bundles: OPA would be restarted while the server it pulls them from is still starting';
        out.push(report.error(cpath(opa, 'probes.liveness.path'), live.path, text));
      }
      for (const x of enabled(c).filter(isCvatBackend)) {
        const found = findEnv(x, 'CVAT_OPA_URL');
        const e = found?.env;
        const ok =
          e &&
          (('componentRef' in e && e.componentRef.component === opa.name && e.componentRef.part === 'url') ||
            ('value' in e && e.value === `http://${opa.name}:8181`));
        if (!ok) {
          out.push(
            report.error(
              found ? cpath(x, `env[${found.index}]`) : cpath(x, 'env'),
              e ? envKind(e) : undefined,
              `must define CVAT_OPA_URL as a componentRef to ${opa.name} (part url) or "http://${opa.name}:8181"`,
            ),
          );
        }
      }
      return out;
    },
  ),
  /**
   * An OPA that polls a bundle from a catalogue component slower than upstream (a max delay above
   * `UPSTREAM_OPA_BUNDLE_POLLING.maxDelaySeconds`, 15 s; OPA's own default is 120 s) carries that component's image:
   * an env variable `OPA_SERVER_IMAGE_ENV` that is a `componentRef` to it, part `image`. Without it a new server image
   * leaves the running OPA on the previous rules until its next poll; with it every new server image is a new OPA
   * revision, which downloads the bundle as it starts.
   */
  defineRule(
    'opaFollowsServerImage',
    "An OPA polling slower than upstream carries the bundle server's image (a new server image restarts OPA).",
    (c, report) => {
      const out: RuleIssue[] = [];
      const names = new Set(c.components.map((x) => x.name));
      const limit = UPSTREAM_OPA_BUNDLE_POLLING.maxDelaySeconds;
      for (const opa of enabled(c).filter((x) => x.image.repository === OPA_IMAGE_REPOSITORY)) {
        for (const b of opaBundles(opa.args)) {
          if (b.maxDelaySeconds <= limit || !names.has(b.host)) continue;
          const follows = opa.env.some(
            (e) => 'componentRef' in e && e.componentRef.component === b.host && e.componentRef.part === 'image',
          );
          if (follows) continue;
          const found = findEnv(opa, OPA_SERVER_IMAGE_ENV);
          const why =
            `OPA polls bundle "${b.name}" from ${b.host} every ${b.minDelaySeconds}-${b.maxDelaySeconds} s, slower than upstream's ` +
            `${UPSTREAM_OPA_BUNDLE_POLLING.minDelaySeconds}-${limit} s, so only a new OPA revision on every new ${b.host} image ` +
            `loads its rules at once; or poll at most every ${limit} s`;
          out.push(
            report.error(
              found ? cpath(opa, `env[${found.index}]`) : cpath(opa, 'env'),
              found ? ('value' in found.env ? found.env.value : envKind(found.env)) : undefined,
              `must define ${OPA_SERVER_IMAGE_ENV} as a componentRef to ${b.host} (part image): ${why}`,
            ),
          );
        }
      }
      return out;
    },
  ),
  /** Long-running apps with ingress have liveness and readiness probes on their target port; HTTP probes have a path, TCP probes none. */
  defineRule('probesForLongRunning', 'Apps with ingress have liveness and readiness probes on their port.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of enabled(c)) {
      if (x.role === 'job' || x.role === 'edge') continue;
      if (x.ingress) {
        for (const kind of ['liveness', 'readiness'] as const) {
          if (!x.probes[kind])
            out.push(report.error(cpath(x, `probes.${kind}`), undefined, `must be set: ${x.name} listens on ${x.ingress.targetPort}`));
        }
      }
      for (const kind of ['liveness', 'readiness', 'startup'] as const) {
        const p = x.probes[kind];
        if (!p) continue;
        if (x.ingress && p.port !== x.ingress.targetPort) {
          out.push(report.error(cpath(x, `probes.${kind}.port`), p.port, `must be the ingress targetPort (${x.ingress.targetPort})`));
        }
        if (p.type === 'http' && !p.path)
          out.push(report.error(cpath(x, `probes.${kind}.path`), undefined, 'must be set for an http probe'));
        if (p.type === 'tcp' && (p.path || p.headers))
          out.push(report.error(cpath(x, `probes.${kind}`), p, 'must not have path or headers for a tcp probe'));
      }
    }
    return out;
  }),
  /**
   * Every enabled RQ worker serves the liveness endpoint and is probed on it: its `command` is the
   * wrapper (`python3 -c <worker_liveness.py> --port <p> -- /opt/cvat/backend_entrypoint.sh`, see
   * `WORKER_LIVENESS`) and it has an HTTP liveness probe (and any startup or readiness probe) on
   * `/livez` at that port. ACA has no exec probes, so without it a hung rqworker (alive process, no
   * heartbeat) is never restarted.
   */
  defineRule('workerLivenessWired', 'Every RQ worker serves /livez next to its entrypoint and has a liveness probe on it.', (c, report) => {
    const out: RuleIssue[] = [];
    for (const x of enabled(c).filter((y) => y.role === 'worker' && isCvatBackend(y))) {
      const cmd = x.command ?? [];
      const split = cmd.indexOf('--');
      const wrapped =
        cmd[0] === 'python3' &&
        cmd[1] === '-c' &&
        cmd[2] === workerLivenessScript() &&
        split !== -1 &&
        cmd[split + 1] === WORKER_LIVENESS.entrypoint;
      const portAt = cmd.indexOf('--port');
      const port = portAt === -1 ? WORKER_LIVENESS.port : Number(cmd[portAt + 1]);
      if (!wrapped) {
        const shown = cmd.map((a) => (a.length > 40 ? `${a.slice(0, 37)}...` : a)).join(' ') || '(image entrypoint)';
        const want = `python3 -c <worker_liveness.py> --port <port> -- ${WORKER_LIVENESS.entrypoint}`;
        out.push(
          report.error(
            cpath(x, 'command'),
            shown,
            `must be workerLivenessCommand() (${want}) so the liveness endpoint runs next to the worker`,
          ),
        );
      }
      for (const kind of ['liveness', 'startup', 'readiness'] as const) {
        const p = x.probes[kind];
        if (!p && kind !== 'liveness') continue;
        const at = cpath(x, `probes.${kind}`);
        const probe = `an http probe of ${WORKER_LIVENESS.path} on port ${port}`;
        const limit = WORKER_LIVENESS.checkTimeoutSeconds;
        if (!p) {
          out.push(report.error(at, undefined, `must be set: ${probe} (ACA has no exec probes)`));
        } else if (p.type !== 'http' || p.path !== WORKER_LIVENESS.path || p.port !== port) {
          out.push(report.error(at, `${p.type} ${p.port} ${p.path ?? ''}`.trim(), `must be ${probe} (the endpoint's --port)`));
        } else if (p.timeoutSeconds <= limit) {
          out.push(
            report.error(
              `${at}.timeoutSeconds`,
              p.timeoutSeconds,
              `must be more than ${limit} (the endpoint's own limit for one workerprobe run)`,
            ),
          );
        }
      }
    }
    return out;
  }),
  /**
   * Probe fields within what the pinned azurerm provider accepts, so that `terraform validate` never
   * fails on a probe: `failureThreshold` 1-30 for liveness, readiness and startup alike,
   * `initialDelaySeconds` 0-60, `periodSeconds` 1-240, `timeoutSeconds` 1-240, header names not
   * empty (see `ACA_LIMITS`). Applies to every component, enabled or not.
   *
   * @see hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/containerapps/helpers/container_apps.go
   *   (`ContainerAppLivenessProbeSchema`, `ContainerAppReadinessProbeSchema`, `ContainerAppStartupProbeSchema`)
   */
  defineRule('probeRanges', 'Probe fields are within the pinned azurerm v4.55.0 ranges (failures 1-30 for every kind).', (c, report) => {
    const out: RuleIssue[] = [];
    const L = ACA_LIMITS;
    const maxFailures = {
      liveness: L.probeLivenessFailureThresholdMax,
      readiness: L.probeReadinessFailureThresholdMax,
      startup: L.probeStartupFailureThresholdMax,
    };
    const provider = 'the range azurerm v4.55.0 validates';
    for (const x of c.components) {
      for (const kind of ['liveness', 'readiness', 'startup'] as const) {
        const p: Probe | undefined = x.probes[kind];
        if (!p) continue;
        const at = (f: string) => cpath(x, `probes.${kind}.${f}`);
        if (p.failureThreshold < L.probeFailureThresholdMin || p.failureThreshold > maxFailures[kind]) {
          const range = `between ${L.probeFailureThresholdMin} and ${maxFailures[kind]} for a ${kind} probe (${provider})`;
          out.push(
            report.error(at('failureThreshold'), p.failureThreshold, `must be ${range}; lengthen periodSeconds for a longer window`),
          );
        }
        const ranges: [string, number, number, number][] = [
          ['initialDelaySeconds', p.initialDelaySeconds, L.probeInitialDelaySecondsMin, L.probeInitialDelaySecondsMax],
          ['periodSeconds', p.periodSeconds, L.probePeriodSecondsMin, L.probePeriodSecondsMax],
          ['timeoutSeconds', p.timeoutSeconds, L.probeTimeoutSecondsMin, L.probeTimeoutSecondsMax],
        ];
        for (const [field, value, min, max] of ranges) {
          if (value < min || value > max) out.push(report.error(at(field), value, `must be between ${min} and ${max} (${provider})`));
        }
        (p.headers ?? []).forEach((h, i) => {
          // azurerm checks `StringIsNotEmpty`; a blank name is not an HTTP header either.
          if (h.name.trim() === '') {
            out.push(report.error(at(`headers[${i}].name`), h.name, 'must not be empty or blank (azurerm requires a header name)'));
          }
        });
      }
    }
    return out;
  }),
];
