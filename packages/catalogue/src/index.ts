// The public API of @cvat-cloud/catalogue. Folders: data/ (what CVAT is made of), schema/ (the valibot
// schemas and their JSON Schema), rules/ (named cross-field rules and their issues), derivations/ (pure
// functions of a catalogue and an environment), upstream/ (facts read from upstream and our deviations),
// load/ (reading an environment file).
export * from './data/cvat-version';
export * from './data/aca-limits';
export * from './data/rq-queues';
export * from './data/components';
export * from './data/storages';
export * from './data/secrets';
export * from './data/default-catalogue';
export * from './data/config-files';
export * from './data/clickhouse-config';
export * from './data/edge-routes';
export * from './data/azure-regions';
export * from './data/azure-limits';
export * from './data/standard-tags';
export * from './schema/catalogue';
export * from './schema/environment';
export * from './schema/json-schema';
export * from './rules/issues';
export * from './rules/catalogue';
export * from './rules/environment';
export * from './rules/environment-security';
export * from './rules/validate';
export * from './rules/ssh-key';
export * from './rules/cidr';
export * from './derivations/cvat-num-proxies';
export * from './derivations/names';
export * from './derivations/resolve';
export * from './derivations/views';
export * from './derivations/worker-liveness';
export * from './derivations/rq-runner';
export * from './derivations/opa-bundles';
export * from './derivations/app-specs';
export * from './derivations/activity';
export * from './upstream/facts';
export * from './upstream/deviations';
export * from './load/environment';
