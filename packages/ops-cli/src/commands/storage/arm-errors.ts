import type { AzureScope } from '../../context/environment';
import { CliError, EXIT, authError, describeError, isUnreachable } from '@cvat-cloud/runtime';
import { msg } from './messages';

/** Maps an ARM failure on a storage account to an CliError naming the resource and the next step. */
export function armError(error: unknown, ctx: { what: string; account: string; scope: AzureScope }): CliError {
  if (error instanceof CliError) return error;
  const auth = authError(error, ctx.what);
  if (auth) return auth;
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string }).code;
  if (status === 404) {
    return new CliError(EXIT.NOT_FOUND, msg.accountNotFound(ctx.account, ctx.scope.resourceGroup, ctx.scope.subscriptionId, code), {
      cause: error,
    });
  }
  if (status === 429) {
    return new CliError(EXIT.UNAVAILABLE, msg.throttled(ctx.what), { cause: error });
  }
  if ((status !== undefined && status >= 500) || (status === undefined && isUnreachable(error))) {
    return new CliError(EXIT.UNAVAILABLE, msg.armFailed(ctx.what, describeError(error), status), { cause: error });
  }
  return new CliError(EXIT.FAILED, msg.armFailed(ctx.what, describeError(error), status), { cause: error });
}
