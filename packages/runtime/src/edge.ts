/**
 * `@cvat-cloud/runtime/edge`: the light part of the runtime (exit codes, CliError, runMain) for a CLI's entry module,
 * which must start fast: it loads neither the catalogue nor any Azure SDK (node:fs and node:path only). Everything else
 * is in the package root.
 */
export * from './exit';
export * from './errors';
export * from './main';
export * from './environment-ref';
export * from './terraform-binary';
export * from './redact';
export * from './shell-quote';
export * from './output-path';
export * from './parser';
