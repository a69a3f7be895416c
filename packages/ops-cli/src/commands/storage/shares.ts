/** Share names and paths: parsing `<share>[/<path>]`, checking the share against the catalogue and the account. */
import type { ShareClient } from '@azure/storage-file-share' with { 'resolution-mode': 'import' };
import type { ResolvedEnvironment } from '../../context/environment';
import { EXIT, CliError, formatCommand } from '@cvat-cloud/runtime';
import { didYouMean } from '../../output/suggest';
import type { StorageTarget } from './account';
import { fileError, withThrottleRetry } from './transfer';
import { msg } from './messages';

/** Azure Files share names: 3-63 lowercase letters, digits and single hyphens, starting and ending alphanumeric. */
export const SHARE_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** Splits `<share>[/<path>]` and normalises the path ('' for the share root). */
export function parseSharePath(text: string): { share: string; path: string } {
  const trimmed = text.trim().replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  const share = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const rest = slash === -1 ? '' : trimmed.slice(slash + 1);
  if (!SHARE_NAME.test(share)) {
    throw new CliError(EXIT.USAGE, msg.badSharePath(text));
  }
  const segments = rest.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new CliError(EXIT.USAGE, msg.dotDotInSharePath(text));
  return { share, path: segments.join('/') };
}

/** With an environment, the share must be one of its catalogue storages of kind smb/nfs. */
export function checkShareInCatalogue(share: string, environment: ResolvedEnvironment | undefined): void {
  if (!environment) return;
  const storages = environment.catalogue.storages;
  const storage = storages.find((s) => s.name === share);
  const shares = storages.filter((s) => s.kind !== 'ephemeral').map((s) => s.name);
  if (!storage) {
    throw new CliError(EXIT.USAGE, msg.unknownShare(share, environment.ref, didYouMean(share, shares), shares));
  }
  if (storage.kind === 'ephemeral') {
    throw new CliError(EXIT.USAGE, msg.ephemeralShare(share, shares));
  }
}

/** Returns the share client after checking that the share exists (exit 6 naming the account otherwise; 403 → 5, unreachable → 7). */
export async function openShare(target: StorageTarget, share: string): Promise<ShareClient> {
  const client = target.service.getShareClient(share);
  let exists: boolean;
  try {
    exists = await withThrottleRetry(() => client.exists());
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    const why = fileError(error);
    if (status === 403) {
      const rulesArgs = formatCommand(target.environment ? ['--env', target.environment.ref] : ['--account', target.account]);
      throw new CliError(EXIT.AUTH, msg.shareRefused(target.account, share, why, target.keySource, rulesArgs), { cause: error });
    }
    throw new CliError(EXIT.UNAVAILABLE, msg.fileServiceUnreachable(target.account, target.endpoint, why), { cause: error });
  }
  if (!exists) {
    throw new CliError(EXIT.NOT_FOUND, msg.shareNotFound(share, target.account));
  }
  return client;
}
