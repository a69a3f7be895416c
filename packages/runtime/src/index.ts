/**
 * @cvat-cloud/runtime: the process edge every cvat-cloud command shares (cvat-ops, cvat-smoke, and infra's synth,
 * policy, cost, deploy and preflight CLIs). No cdktf, no pg, no undici: Azure SDKs are loaded lazily, only by the
 * functions that need them.
 */
export * from './exit';
export * from './errors';
export * from './main';
export * from './environment-ref';
export * from './terraform-binary';
export * from './environment';
export * from './azure/credentials';
export * from './azure/arm';
export * from './azure/key-vault';
export * from './confirm';
export * from './egress-ip';
export * from './redact';
export * from './shell-quote';
export * from './output-path';
