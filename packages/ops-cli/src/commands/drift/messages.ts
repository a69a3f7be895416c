/** User-facing text of `cvat-ops drift`. */

export const messages = {
  what: 'cvat-ops drift',
  inSync: (n: number) => `No drift: ${n} app(s) match the catalogue.`,
  summary: (s: Record<string, number>) =>
    `${s.drifted} drifted, ${s['missing-live']} missing in Azure, ${s['not-in-catalogue']} not in the catalogue, ${s['in-sync']} in sync.`,
  fix: (flags: string) => `To converge, run 'npx nx run infra:deploy -- ${flags}' (changes under the template create a new revision).`,
  extraLive: (rg: string) =>
    [
      "Apps not in the catalogue: delete a disabled component with 'cvat-ops apps delete <name>',",
      `anything else with 'az containerapp delete --name <name> --resource-group ${rg}'.`,
    ].join(' '),
  unmanagedTitle:
    'Set in Azure, not managed by the catalogue (IP restrictions, custom domains, init containers, Dapr; shown, not counted as drift):',
  platformNote: 'Values only Azure knows (e.g. the PostgreSQL FQDN) are compared by name only.',
} as const;
