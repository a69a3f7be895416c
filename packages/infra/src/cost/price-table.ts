import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DeployError } from '../deploy/errors';

/** Upper bound of a price table's size (the committed ones are a few kB). */
export const MAX_PRICE_TABLE_BYTES = 1_000_000;

/** How sure a price is, as tagged in the dated price file. */
export type PriceConfidence = 'verified' | 'derived' | 'verify';

/** One price with its provenance. */
export interface Price {
  /** USD per unit (the unit is in the field name that holds it). */
  readonly price: number;
  readonly confidence: PriceConfidence;
  readonly note?: string;
}

/**
 * A dated regional price table (`packages/infra/prices/<region>-<yyyy-mm-dd>.json`).
 *
 * Prices are never edited in place: a refresh is a new dated file, so an estimate can always be traced
 * to the figures it used.
 *
 * @see https://azure.microsoft.com/pricing/details/container-apps/
 * @see https://learn.microsoft.com/azure/container-apps/billing
 */
export interface PriceTable {
  readonly region: string;
  readonly currency: string;
  /** Date the figures were collected (ISO `yyyy-mm-dd`). */
  readonly asOf: string;
  readonly source: string;
  /** Hours in a billing month (Azure uses 730). */
  readonly hoursPerMonth: number;
  readonly containerApps: {
    readonly consumption: {
      readonly vcpuActivePerSecond: Price;
      readonly vcpuIdlePerSecond: Price;
      readonly memoryActivePerGiBSecond: Price;
      readonly memoryIdlePerGiBSecond: Price;
      readonly requestsPerMillion: Price;
    };
    readonly freeGrantPerMonth: { readonly vcpuSeconds: number; readonly memoryGiBSeconds: number; readonly requests: number };
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
    readonly hotPerGiBMonth: Price;
    readonly premiumPerGiBMonth: Price;
    readonly premiumMinimumGiB: number;
  };
  readonly keyVault: { readonly operationsPer10k: Price };
  readonly virtualMachines: {
    readonly linuxPerHour: Readonly<Record<string, Price>>;
    readonly osDiskPerMonth: Readonly<Record<string, Price>>;
  };
  readonly publicIpStaticStandardPerMonth: Price;
  readonly logAnalytics: { readonly ingestionPerGB: Price; readonly freeGBPerMonth: number };
}

const CONFIDENCE = ['verified', 'derived', 'verify'];

/**
 * Checks a parsed price table: every price an estimate uses must be a non-negative number with a known
 * confidence tag. Errors name the field path and the value.
 *
 * @param raw the parsed JSON
 * @param source file name for messages
 */
export function validatePriceTable(raw: unknown, source: string): PriceTable {
  const problems: string[] = [];
  const get = (path: string): unknown =>
    path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), raw);
  const num = (path: string): void => {
    const v = get(path);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      problems.push(`'${path}' (${JSON.stringify(v)}) must be a non-negative number`);
  };
  const price = (path: string): void => {
    num(`${path}.price`);
    const c = get(`${path}.confidence`);
    if (!CONFIDENCE.includes(c as string))
      problems.push(`'${path}.confidence' (${JSON.stringify(c)}) must be one of ${CONFIDENCE.join(', ')}`);
  };
  const priceMap = (path: string): void => {
    const m = get(path);
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      problems.push(`'${path}' (${JSON.stringify(m)}) must be an object of prices keyed by SKU`);
      return;
    }
    for (const key of Object.keys(m)) price(`${path}.${key}`);
  };
  for (const f of ['region', 'currency', 'asOf', 'source']) {
    if (typeof get(f) !== 'string' || get(f) === '') problems.push(`'${f}' (${JSON.stringify(get(f))}) must be a non-empty string`);
  }
  if (typeof get('asOf') === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(get('asOf') as string))
    problems.push(`'asOf' (${JSON.stringify(get('asOf'))}) must be a yyyy-mm-dd date`);
  num('hoursPerMonth');
  for (const p of ['vcpuActivePerSecond', 'vcpuIdlePerSecond', 'memoryActivePerGiBSecond', 'memoryIdlePerGiBSecond', 'requestsPerMillion'])
    price(`containerApps.consumption.${p}`);
  for (const p of ['vcpuSeconds', 'memoryGiBSeconds', 'requests']) num(`containerApps.freeGrantPerMonth.${p}`);
  for (const p of ['dedicatedPlanManagementPerHour', 'dedicatedComputePerVcpuHour', 'dedicatedComputePerGiBHour'])
    price(`containerApps.${p}`);
  priceMap('postgresFlexible.computePerHour');
  price('postgresFlexible.storagePerGiBMonth');
  price('postgresFlexible.backupBeyondFreePerGiBMonth');
  for (const p of [
    'transactionOptimizedPerGiBMonth',
    'transactionOptimizedWritePer10k',
    'transactionOptimizedReadPer10k',
    'hotPerGiBMonth',
    'premiumPerGiBMonth',
  ])
    price(`azureFiles.${p}`);
  num('azureFiles.premiumMinimumGiB');
  price('keyVault.operationsPer10k');
  priceMap('virtualMachines.linuxPerHour');
  priceMap('virtualMachines.osDiskPerMonth');
  price('publicIpStaticStandardPerMonth');
  price('logAnalytics.ingestionPerGB');
  num('logAnalytics.freeGBPerMonth');
  if (problems.length) throw new DeployError('BAD_INPUT', `${source}: invalid price table:\n  ${problems.join('\n  ')}`);
  return raw as PriceTable;
}

/** Directory of the committed price tables (`packages/infra/prices`), found from this module's location. */
export function defaultPricesDir(): string {
  // src/cost (tests, tsx) and dist/cost (built CLI) both sit two levels below the package root.
  return resolve(__dirname, '..', '..', 'prices');
}

/**
 * Loads a price table: the given file, or the newest `<region>-<date>.json` of `dir` for the region.
 *
 * @param options.file explicit path (`--prices`)
 * @param options.region e.g. `eastus`
 * @default options.dir {@link defaultPricesDir}
 */
export function loadPriceTable(options: { file?: string; region?: string; dir?: string } = {}): { table: PriceTable; file: string } {
  let file = options.file;
  if (!file) {
    const dir = options.dir ?? defaultPricesDir();
    const region = (options.region ?? 'eastus').toLowerCase().replace(/\s+/g, '');
    const candidates = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => new RegExp(`^${region}-\\d{4}-\\d{2}-\\d{2}\\.json$`).test(f))
          .sort()
      : [];
    if (candidates.length === 0) {
      throw new DeployError(
        'BAD_INPUT',
        `no price table for region '${region}' in ${dir} (expected ${region}-<yyyy-mm-dd>.json); pass --prices <file>`,
      );
    }
    file = join(dir, candidates[candidates.length - 1]);
  }
  if (!existsSync(file)) throw new DeployError('BAD_INPUT', `price table ${file} does not exist`);
  // A FIFO or device would block the read for ever; a price table is a small regular file.
  const stat = statSync(file);
  if (!stat.isFile()) throw new DeployError('BAD_INPUT', `price table ${file} is not a regular file`);
  if (stat.size > MAX_PRICE_TABLE_BYTES)
    throw new DeployError('BAD_INPUT', `price table ${file} is ${stat.size} bytes; a price table is at most ${MAX_PRICE_TABLE_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // The parser's message quotes the file's first characters: never echo a foreign file (e.g. --prices /etc/passwd).
    throw new DeployError('BAD_INPUT', `price table ${file} is not valid JSON (expected a file like prices/eastus-<yyyy-mm-dd>.json)`);
  }
  return { table: validatePriceTable(raw, basename(file)), file };
}
