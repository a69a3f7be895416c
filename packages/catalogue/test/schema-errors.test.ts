import { describe, expect, it } from 'vitest';
import { defaultCatalogueInput, validateCatalogue } from '../src/index';

function input(change: (c: Record<string, any>) => void): unknown {
  const c = defaultCatalogueInput() as Record<string, any>;
  change(c);
  return c;
}
const server = (c: Record<string, any>) => c.components.find((x: any) => x.name === 'cvat-server');

describe('schema errors of validateCatalogue', () => {
  it.each([
    {
      name: 'a string where a number belongs',
      change: (c: any) => (server(c).resources.cpuCores = '1'),
      message: `'components.cvat-server.resources.cpuCores' ("1") must be a number`,
    },
    {
      name: 'a missing required field',
      change: (c: any) => delete server(c).image,
      message: `'components.cvat-server.image' (missing) is required`,
    },
    {
      name: 'an unknown field',
      change: (c: any) => (server(c).replica = 2),
      message: `'components.cvat-server.replica' (2) is not a known field; remove it or check its spelling`,
    },
    {
      name: 'an env entry with two kinds',
      change: (c: any) => (server(c).env[0] = { name: 'X', value: 'a', secretRef: 'b' }),
      message: `'components.cvat-server.env[0]' ({"name":"X","value":"a","secretRef":"b"}) must be an object with \`name\` and exactly one of`,
    },
    {
      name: 'a wrong part in a componentRef',
      change: (c: any) => (server(c).env[0] = { name: 'X', componentRef: { component: 'opa', part: 'ip' } }),
      message: `'components.cvat-server.env[0].componentRef.part' ("ip") must be one of "host" | "port" | "url"`,
    },
    {
      name: 'a number as an env value',
      change: (c: any) => (server(c).env[0] = { name: 'NUMPROCS', value: 2 }),
      message: `'components.cvat-server.env[0].value' (2) must be a string`,
    },
    {
      name: 'an unknown platform reference',
      change: (c: any) => (server(c).env[0] = { name: 'CVAT_POSTGRES_HOST', platformRef: 'postgres.fqdn' }),
      message: `'components.cvat-server.env[0].platformRef' ("postgres.fqdn") must be one of "postgres.host"`,
    },
    {
      name: 'an unknown role',
      change: (c: any) => (server(c).role = 'api'),
      message: `'components.cvat-server.role' ("api") must be one of "service" | "worker" | "store" | "job" | "edge"`,
    },
    {
      name: 'a port out of range',
      change: (c: any) => (server(c).ingress.targetPort = 70000),
      message: `'components.cvat-server.ingress.targetPort' (70000) must be between 1 and 65535`,
    },
    {
      name: 'a relative mount path',
      change: (c: any) => (server(c).mounts[0].mountPath = 'data'),
      message: `'components.cvat-server.mounts[0].mountPath' ("data") must be an absolute path`,
    },
    {
      name: 'a bad CVAT version',
      change: (c: any) => (c.cvatVersion = '2.73'),
      message: `'cvatVersion' ("2.73") must be a CVAT release tag like v2.73.0`,
    },
    {
      name: 'a non-positive memory',
      change: (c: any) => (server(c).resources.memoryGiB = 0),
      message: `'components.cvat-server.resources.memoryGiB' (0) must be greater than 0`,
    },
  ])('reports $name with its path, value and rule', ({ change, message }) => {
    const r = validateCatalogue(input(change));
    expect(r.value).toBeUndefined();
    expect(r.errors?.map((e) => e.message).some((m) => m.startsWith(message))).toBe(true);
    expect(r.errors?.every((e) => e.rule === 'schema')).toBe(true);
  });

  it('reports a non-object input without throwing', () => {
    for (const bad of [undefined, null, 42, 'catalogue', []]) {
      const r = validateCatalogue(bad);
      expect(r.errors?.[0]?.message).toMatch(/must be an object|is required/);
    }
  });

  it('fills defaults for optional fields', () => {
    const r = validateCatalogue(
      input((c) => {
        const x = server(c);
        delete x.probes;
        delete x.scaleRules;
      }),
    );
    // the server then lacks probes: the rule (not the schema) reports it
    expect(r.errors?.map((e) => e.rule)).toContain('probesForLongRunning');
    expect(r.errors?.some((e) => e.rule === 'schema')).toBe(false);
  });
});
