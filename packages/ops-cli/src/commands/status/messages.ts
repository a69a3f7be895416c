/** User-facing text of `cvat-ops status`. */

export const messages = {
  what: 'cvat-ops status',
  missing: (name: string, flags: string) => `${name}: does not exist in Azure; deploy it with 'npx nx run infra:deploy -- ${flags}'`,
  provisioning: (name: string, state: string) => `${name}: provisioning state is ${state} (expected Succeeded)`,
  running: (name: string, state: string) => `${name}: running status is ${state} (expected Running)`,
  noActiveRevision: (name: string) => `${name}: has no active revision`,
  revisionUnhealthy: (name: string, revision: string, health: string, running: string) =>
    `${name}: revision ${revision} is ${health}${running ? ` / ${running}` : ''}`,
  tooFewReplicas: (name: string, running: number, min: number, flags: string) =>
    `${name}: ${running} replica(s) running, minimum is ${min}; see 'cvat-ops logs ${name} --type system ${flags}'`,
  imageMismatch: (name: string, live: string, expected: string) =>
    `${name}: runs image ${live}, the catalogue says ${expected}; run 'cvat-ops drift' for every difference`,
  readFailed: (name: string, reason: string) => `${name}: could not be read (${reason})`,
  jobNeverRan: (name: string) => `${name}: has never run; start it with 'az containerapp job start --name ${name}' or redeploy`,
  jobFailed: (name: string, execution: string, status: string) =>
    `${name}: last execution ${execution} ended ${status}; see its logs in Log Analytics (ContainerAppConsoleLogs_CL)`,
  healthUnreachable: (url: string, error: string) =>
    `server health: ${url} not reachable (${error}); the edge may only admit the admin CIDRs`,
  healthFailing: (status: number, failing: string[]) =>
    `server health: HTTP ${status}${failing.length ? `, failing: ${failing.join(', ')}` : ''}`,
  healthSkippedNoEdge: 'no edge in this environment (edge.mode none)',
  healthSkippedNoEnv: 'no --env: edge host unknown',
  healthSkippedFlag: '--no-health',
  extraApps: (names: string[]) => `Live apps not in the catalogue: ${names.join(', ')} (see 'cvat-ops drift').`,
  allHealthy: (n: number) => `All ${n} components healthy.`,
  unhealthy: (n: number) => `${n} problem(s):`,
} as const;
