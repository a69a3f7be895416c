export type { StorageUploadOptions, StorageConfigPushOptions, StorageRulesOptions } from './options';
export { storageUpload } from './upload';
export { storageConfigPush } from './config-push';
export { storageRules } from './rules';
