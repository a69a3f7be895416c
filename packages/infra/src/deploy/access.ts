/**
 * What an operator needs right after a deploy: where CVAT answers, which admin user the deploy created and where its
 * password lives. Pure: derived from the environment and the catalogue, the same derivations the stacks use.
 */
import { type Catalogue, type EnvironmentConfig, edgeUrls, findComponent, resourceNames, SECRET_NAMES } from '@cvat-cloud/catalogue';

/** Where CVAT is and how to log in (printed after a deploy and in its `--json` report as `access`). */
export interface AccessInfo {
  /** `https://<host>` when the edge is deployed (`edge.mode: vm`); absent for a private-only install. */
  readonly url?: string;
  /** The edge's Azure DNS name (`<dnsLabel>.<location>.cloudapp.azure.com`), when the edge is deployed. */
  readonly azureDnsName?: string;
  /** Set when `edge.hostname` is a custom name: its DNS record must point at {@link azureDnsName} first. */
  readonly dnsRecord?: string;
  /** The superuser the deploy's superuser step creates (the init job's `DJANGO_SUPERUSER_USERNAME`). */
  readonly adminUser?: string;
  readonly password: {
    readonly keyVault: string;
    readonly secret: string;
    /** The Azure CLI command that prints it (run from an address in `adminCidrs`, signed in with `az login`). */
    readonly command: string;
  };
}

/** {@link AccessInfo} of an environment. */
export function accessInfo(config: EnvironmentConfig, catalogue: Catalogue): AccessInfo {
  const names = resourceNames(config);
  const job = findComponent(catalogue, 'cvat-init');
  const user = job?.env?.find((e) => e.name === 'DJANGO_SUPERUSER_USERNAME');
  const adminUser = user && 'value' in user && typeof user.value === 'string' ? user.value : undefined;
  const secret = SECRET_NAMES.superuserPassword;
  const password = {
    keyVault: names.keyVault,
    secret,
    command: `az keyvault secret show --vault-name ${names.keyVault} --name ${secret} --query value -o tsv`,
  };
  if (config.edge.mode !== 'vm') return { ...(adminUser ? { adminUser } : {}), password };
  const edge = edgeUrls(config);
  const azureDnsName = `${names.dnsLabel}.${config.location}.cloudapp.azure.com`;
  return {
    url: edge.baseUrl,
    azureDnsName,
    ...(edge.host !== azureDnsName ? { dnsRecord: `${edge.host} CNAME ${azureDnsName}` } : {}),
    ...(adminUser ? { adminUser } : {}),
    password,
  };
}

/** The lines printed after a successful deploy. */
export function formatAccess(info: AccessInfo): string[] {
  const lines: string[] = [];
  if (info.url) {
    lines.push(`CVAT: ${info.url}`);
    if (info.dnsRecord) {
      lines.push(`  DNS: create the record ${info.dnsRecord} (the certificate is issued once the name resolves to the edge)`);
    }
  } else {
    lines.push('CVAT: no public edge (edge.mode: none); reach cvat-ui and cvat-server from inside the virtual network');
  }
  lines.push(`  admin user: ${info.adminUser ?? '(the init job sets no DJANGO_SUPERUSER_USERNAME)'}`);
  lines.push(`  password: Key Vault ${info.password.keyVault}, secret ${info.password.secret}; read it with`);
  lines.push(`    ${info.password.command}`);
  return lines;
}
