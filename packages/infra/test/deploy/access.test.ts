import { describe, expect, it } from 'vitest';
import { resourceNames } from '@cvat-cloud/catalogue';
import { accessInfo, formatAccess } from '../../src/deploy/access';
import { catalogueFor, configWith, exampleConfig } from '../support/synth';

describe('accessInfo', () => {
  it('gives the URL, the admin user and the Key Vault secret holding the password, with the az command to read it', () => {
    const config = exampleConfig();
    const info = accessInfo(config, catalogueFor(config));
    const kv = resourceNames(config).keyVault;
    expect(info.url).toMatch(/^https:\/\/[a-z0-9-]+\.[a-z0-9]+\.cloudapp\.azure\.com$/);
    expect(info.adminUser).toBe('admin');
    expect(info.password).toEqual({
      keyVault: kv,
      secret: 'cvat-superuser-password',
      command: `az keyvault secret show --vault-name ${kv} --name cvat-superuser-password --query value -o tsv`,
    });
    expect(info.dnsRecord).toBeUndefined();
    const lines = formatAccess(info);
    expect(lines[0]).toBe(`CVAT: ${info.url}`);
    expect(lines.join('\n')).toContain(`Key Vault ${kv}, secret cvat-superuser-password`);
  });

  it('asks for the DNS record of a custom hostname, and has no URL without an edge', () => {
    const custom = configWith({ edge: { hostname: 'cvat.example.com' } });
    const info = accessInfo(custom, catalogueFor(custom));
    expect(info.url).toBe('https://cvat.example.com');
    expect(info.dnsRecord).toBe(`cvat.example.com CNAME ${info.azureDnsName}`);
    expect(formatAccess(info)[1]).toContain('create the record cvat.example.com CNAME');
    const none = configWith({ edge: { mode: 'none', hostname: 'cvat.internal.example.com' } });
    const privateOnly = accessInfo(none, catalogueFor(none));
    expect(privateOnly.url).toBeUndefined();
    expect(formatAccess(privateOnly)[0]).toContain('no public edge');
  });
});
