/**
 * @cvat-cloud/testing: test doubles and helpers shared by the cvat-cloud test suites. Import it from test files only
 * (tools/check-boundaries.mjs rejects it anywhere else); nothing here is shipped.
 *
 * Every fake listens on 127.0.0.1 only and answers the documented REST shapes of the service it stands in for.
 */
export * from './loopback-server';
export * from './fake-credential';
export * from './fake-arm-server';
export * from './fake-azure-monitor';
export * from './fake-arm-storage-server';
export * from './fake-file-server';
export * from './fake-key-vault-server';
export * from './temp-dir';
export * from './expect-error';
export * from './arm-examples';
