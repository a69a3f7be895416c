/**
 * The CVAT release this catalogue describes.
 *
 * One version drives the image tag of `cvat/server` (the server, every worker and the `cvat-init`
 * job) and `cvat/ui`. Environments may pin another tag through `cvatVersion`; the rule
 * `cvatImagesShareVersion` keeps every CVAT image on that one tag, because workers and the server
 * must run the code whose migrations the init job applied.
 *
 * @default 'v2.73.0'
 * @see https://github.com/cvat-ai/cvat/releases/tag/v2.73.0
 */
export const CVAT_VERSION = 'v2.73.0';
