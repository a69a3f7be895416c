import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DeployError } from '../deploy/errors';

/** Upper bound of a price table's size (the committed ones are a few kB). */
export const MAX_PRICE_TABLE_BYTES = 1_000_000;

/**
 * How sure a price is, as tagged in the dated price file: `verified` = read for this region on the cited page;
 * `derived` = computed from figures read there (the note says how); `verify` = not read for this region (carried
 * over, reused from another region, or remembered from the official page).
 */
export type PriceConfidence = 'verified' | 'derived' | 'verify';

/** Where figures were read: a public page and the date it was read. */
export interface PriceSource {
  readonly url: string;
  /** Date the page was read (ISO `yyyy-mm-dd`). */
  readonly read: string;
  /** What the page says, in a sentence. */
  readonly what: string;
}

/** One price with its provenance. */
export interface Price {
  /** USD per unit (the unit is in the field name that holds it). */
  readonly price: number;
  readonly confidence: PriceConfidence;
  /** Key of {@link PriceTable.sources}. */
  readonly source: string;
  readonly note?: string;
}

/**
 * A dated regional price table (`packages/infra/prices/<region>-<yyyy-mm-dd>.json`, schema version 2).
 *
 * Prices are never edited in place: a refresh is a new dated file, so an estimate can always be traced to the
 * figures it used, and every figure names the public page it was read from.
 *
 * @see https://azure.microsoft.com/pricing/details/container-apps/
 * @see https://learn.microsoft.com/azure/container-apps/billing
 */
export interface PriceTable {
  readonly schemaVersion: 2;
  readonly region: string;
  readonly currency: string;
  /** Date the figures were compiled (ISO `yyyy-mm-dd`). */
  readonly asOf: string;
  /** Hours in a billing month (Azure uses 730). */
  readonly hoursPerMonth: number;
  readonly sources: Readonly<Record<string, PriceSource>>;
  readonly containerApps: {
    readonly consumption: {
      readonly vcpuActivePerSecond: Price;
      readonly vcpuIdlePerSecond: Price;
      readonly memoryActivePerGiBSecond: Price;
      readonly memoryIdlePerGiBSecond: Price;
      readonly requestsPerMillion: Price;
    };
    readonly freeGrantPerMonth: {
      readonly vcpuSeconds: number;
      readonly memoryGiBSeconds: number;
      readonly requests: number;
      readonly source: string;
    };
    readonly dedicatedPlanManagementPerHour: Price;
    readonly dedicatedComputePerVcpuHour: Price;
    readonly dedicatedComputePerGiBHour: Price;
  };
  readonly postgresFlexible: {
    readonly computePerHour: Readonly<Record<string, Price>>;
    readonly storagePerGiBMonth: Price;
    readonly backupBeyondFreePerGiBMonth: Price;
  };
  readonly azureFiles: {
    readonly transactionOptimizedPerGiBMonth: Price;
    readonly transactionOptimizedWritePer10k: Price;
    readonly transactionOptimizedReadPer10k: Price;
    readonly premiumPerGiBMonth: Price;
    readonly premiumMinimumGiB: number;
  };
  readonly keyVault: { readonly operationsPer10k: Price };
  readonly virtualMachines: {
    readonly linuxPerHour: Readonly<Record<string, Price>>;
    readonly osDiskPerMonth: Readonly<Record<string, Price>>;
  };
  readonly publicIpStaticStandardPerHour: Price;
  readonly privateLink: { readonly endpointPerHour: Price; readonly dataProcessedPerGB: Price };
  readonly privateDns: { readonly zonePerMonth: Price };
  readonly bandwidth: { readonly internetEgressPerGB: Price; readonly freeGBPerMonth: number };
  readonly logAnalytics: { readonly ingestionPerGB: Price; readonly freeGBPerMonth: number };
}

const CONFIDENCE = ['verified', 'derived', 'verify'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Paths of every single price a table must carry (maps of prices keyed by SKU are listed in {@link PRICE_MAPS}). */
export const PRICE_PATHS = [
  'containerApps.consumption.vcpuActivePerSecond',
  'containerApps.consumption.vcpuIdlePerSecond',
  'containerApps.consumption.memoryActivePerGiBSecond',
  'containerApps.consumption.memoryIdlePerGiBSecond',
  'containerApps.consumption.requestsPerMillion',
  'containerApps.dedicatedPlanManagementPerHour',
  'containerApps.dedicatedComputePerVcpuHour',
  'containerApps.dedicatedComputePerGiBHour',
  'postgresFlexible.storagePerGiBMonth',
  'postgresFlexible.backupBeyondFreePerGiBMonth',
  'azureFiles.transactionOptimizedPerGiBMonth',
  'azureFiles.transactionOptimizedWritePer10k',
  'azureFiles.transactionOptimizedReadPer10k',
  'azureFiles.premiumPerGiBMonth',
  'keyVault.operationsPer10k',
  'publicIpStaticStandardPerHour',
  'privateLink.endpointPerHour',
  'privateLink.dataProcessedPerGB',
  'privateDns.zonePerMonth',
  'bandwidth.internetEgressPerGB',
  'logAnalytics.ingestionPerGB',
] as const;

/** Paths of the price maps keyed by SKU. */
export const PRICE_MAPS = ['postgresFlexible.computePerHour', 'virtualMachines.linuxPerHour', 'virtualMachines.osDiskPerMonth'] as const;

/**
 * Checks a parsed price table: every price an estimate uses must be a non-negative number with a known confidence
 * tag and a source that the table's `sources` lists with a URL and a read date. Errors name the field path, the
 * value and what is allowed.
 *
 * @param raw the parsed JSON
 * @param source file name for messages
 */
export function validatePriceTable(raw: unknown, source: string): PriceTable {
  const problems: string[] = [];
  const get = (path: string): unknown =>
    path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), raw);
  const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));
  const num = (path: string): void => {
    const v = get(path);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`'${path}' (${show(v)}) must be a non-negative number`);
  };
  const sources = get('sources');
  const sourceKeys = sources && typeof sources === 'object' && !Array.isArray(sources) ? Object.keys(sources) : [];
  const sourceRef = (path: string): void => {
    const s = get(path);
    if (typeof s !== 'string' || !sourceKeys.includes(s))
      problems.push(`'${path}' (${show(s)}) must name an entry of 'sources' (${sourceKeys.join(', ') || 'none listed'})`);
  };
  const price = (path: string): void => {
    num(`${path}.price`);
    const c = get(`${path}.confidence`);
    if (!CONFIDENCE.includes(c as string)) problems.push(`'${path}.confidence' (${show(c)}) must be one of ${CONFIDENCE.join(', ')}`);
    sourceRef(`${path}.source`);
  };
  const priceMap = (path: string): void => {
    const m = get(path);
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      problems.push(`'${path}' (${show(m)}) must be an object of prices keyed by SKU`);
      return;
    }
    for (const key of Object.keys(m)) price(`${path}.${key}`);
  };
  if (get('schemaVersion') !== 2) problems.push(`'schemaVersion' (${show(get('schemaVersion'))}) must be 2`);
  for (const f of ['region', 'currency', 'asOf']) {
    if (typeof get(f) !== 'string' || get(f) === '') problems.push(`'${f}' (${show(get(f))}) must be a non-empty string`);
  }
  if (typeof get('asOf') === 'string' && !DATE.test(get('asOf') as string))
    problems.push(`'asOf' (${show(get('asOf'))}) must be a yyyy-mm-dd date`);
  if (get('currency') !== undefined && get('currency') !== 'USD') problems.push(`'currency' (${show(get('currency'))}) must be USD`);
  num('hoursPerMonth');
  if (sourceKeys.length === 0) problems.push(`'sources' (${show(sources)}) must be an object of sources, each with url, read and what`);
  for (const key of sourceKeys) {
    const url = get(`sources.${key}.url`);
    if (typeof url !== 'string' || !/^https:\/\/\S+$/.test(url)) problems.push(`'sources.${key}.url' (${show(url)}) must be an https URL`);
    const read = get(`sources.${key}.read`);
    if (typeof read !== 'string' || !DATE.test(read)) problems.push(`'sources.${key}.read' (${show(read)}) must be a yyyy-mm-dd date`);
  }
  for (const p of PRICE_PATHS) price(p);
  for (const p of PRICE_MAPS) priceMap(p);
  for (const p of ['vcpuSeconds', 'memoryGiBSeconds', 'requests']) num(`containerApps.freeGrantPerMonth.${p}`);
  sourceRef('containerApps.freeGrantPerMonth.source');
  num('azureFiles.premiumMinimumGiB');
  num('bandwidth.freeGBPerMonth');
  num('logAnalytics.freeGBPerMonth');
  if (problems.length) throw new DeployError('BAD_INPUT', `${source}: invalid price table:\n  ${problems.join('\n  ')}`);
  return raw as PriceTable;
}

/** Directory of the committed price tables (`packages/infra/prices`), found from this module's location. */
export function defaultPricesDir(): string {
  // src/cost (tests, tsx) and dist/cost (built CLI) both sit two levels below the package root.
  return resolve(__dirname, '..', '..', 'prices');
}

const TABLE_FILE = /^([a-z0-9]+)-(\d{4}-\d{2}-\d{2})\.json$/;

/** Regions that have a committed table in `dir`, sorted. */
export function pricedRegions(dir: string = defaultPricesDir()): string[] {
  if (!existsSync(dir)) return [];
  const regions = new Set<string>();
  for (const f of readdirSync(dir)) {
    const m = TABLE_FILE.exec(f);
    if (m) regions.add(m[1]);
  }
  return [...regions].sort();
}

/**
 * Loads a price table: the given file, or the newest `<region>-<date>.json` of `dir` for the region.
 *
 * @param options.file explicit path (`--prices`)
 * @param options.region e.g. `eastus` (`--region`, else the environment's location)
 * @param options.dir @default {@link defaultPricesDir}
 * @throws DeployError `BAD_INPUT` naming the option, the value and what is allowed
 */
export function loadPriceTable(options: { file?: string; region?: string; dir?: string }): { table: PriceTable; file: string } {
  let file = options.file;
  if (!file) {
    const dir = options.dir ?? defaultPricesDir();
    const region = (options.region ?? '').toLowerCase().replace(/\s+/g, '');
    const candidates = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => TABLE_FILE.exec(f)?.[1] === region)
          .sort()
      : [];
    if (candidates.length === 0) {
      const known = pricedRegions(dir);
      throw new DeployError(
        'BAD_INPUT',
        `'--region' (${options.region ?? ''}) has no price table (expected packages/infra/prices/${region || '<region>'}-<yyyy-mm-dd>.json); ` +
          `regions with a table: ${known.join(', ') || 'none'}; or pass --prices <file>`,
      );
    }
    file = join(dir, candidates[candidates.length - 1]);
  }
  if (!existsSync(file)) throw new DeployError('BAD_INPUT', `'--prices' (${file}): price table does not exist`);
  // A FIFO or device would block the read for ever; a price table is a small regular file.
  const stat = statSync(file);
  if (!stat.isFile()) throw new DeployError('BAD_INPUT', `'--prices' (${file}): price table is not a regular file`);
  if (stat.size > MAX_PRICE_TABLE_BYTES)
    throw new DeployError(
      'BAD_INPUT',
      `'--prices' (${file}): price table is ${stat.size} bytes; a price table is at most ${MAX_PRICE_TABLE_BYTES}`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // The parser's message quotes the file's first characters: never echo a foreign file (e.g. --prices /etc/passwd).
    throw new DeployError(
      'BAD_INPUT',
      `'--prices' (${file}): price table is not valid JSON (expected a file like packages/infra/prices/eastus-<yyyy-mm-dd>.json)`,
    );
  }
  return { table: validatePriceTable(raw, `'--prices' (${basename(file)})`), file };
}
