import { SUPERUSER_ARGS } from '../../../src/deploy/superuser';

/** The job resource as ARM returns it for the synthesized cvat-init job (trimmed to what matters). */
export function initJobDefinition(
  overrides: { env?: unknown[]; containerName?: string; resourceGroup?: string } = {},
): Record<string, unknown> {
  return {
    id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${overrides.resourceGroup ?? 'cvat-dev-rg'}/providers/Microsoft.App/jobs/cvat-init`,
    name: 'cvat-init',
    type: 'Microsoft.App/jobs',
    location: 'eastus',
    properties: {
      configuration: {
        triggerType: 'Manual',
        replicaTimeout: 1800,
        secrets: [
          {
            name: 'cvat-superuser-password',
            keyVaultUrl: 'https://cvat-dev-kv.vault.azure.net/secrets/cvat-superuser-password',
            identity: '/id',
          },
        ],
      },
      template: {
        containers: [
          {
            name: overrides.containerName ?? 'cvat-init',
            image: 'cvat/server:v2.73.0',
            args: ['init'],
            env: overrides.env ?? [
              { name: 'CVAT_POSTGRES_HOST', value: 'cvat-dev-pg.postgres.database.azure.com' },
              { name: 'CVAT_POSTGRES_PASSWORD', secretRef: 'postgres-admin-password' },
              { name: 'DJANGO_SUPERUSER_USERNAME', value: 'admin' },
              { name: 'DJANGO_SUPERUSER_EMAIL', value: 'admin@cvat.invalid' },
              { name: 'DJANGO_SUPERUSER_PASSWORD', secretRef: 'cvat-superuser-password' },
            ],
            resources: { cpu: 0.5, memory: '1Gi', ephemeralStorage: '2Gi' },
            volumeMounts: [{ volumeName: 'cvat-data', mountPath: '/home/django/data' }],
          },
        ],
        volumes: [{ name: 'cvat-data', storageType: 'AzureFile', storageName: 'cvat-data' }],
      },
    },
  };
}

/** The exact `POST …/start` body the superuser step must send for {@link initJobDefinition}. */
export const EXPECTED_SUPERUSER_BODY = {
  containers: [
    {
      name: 'cvat-init',
      image: 'cvat/server:v2.73.0',
      command: ['/bin/sh', '-c'],
      args: [SUPERUSER_ARGS[0]],
      env: [
        { name: 'CVAT_POSTGRES_HOST', value: 'cvat-dev-pg.postgres.database.azure.com' },
        { name: 'CVAT_POSTGRES_PASSWORD', secretRef: 'postgres-admin-password' },
        { name: 'DJANGO_SUPERUSER_USERNAME', value: 'admin' },
        { name: 'DJANGO_SUPERUSER_EMAIL', value: 'admin@cvat.invalid' },
        { name: 'DJANGO_SUPERUSER_PASSWORD', secretRef: 'cvat-superuser-password' },
      ],
      resources: { cpu: 0.5, memory: '1Gi' },
    },
  ],
};
