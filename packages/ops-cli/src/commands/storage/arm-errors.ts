import { authError } from '../../context/credential';
import type { AzureScope } from '../../context/environment';
import { EXIT, ExitError, describeError } from '../../errors';
import { msg } from './messages';

/** Maps an ARM failure on a storage account to an ExitError naming the resource and the next step. */
export function armError(error: unknown, ctx: { what: string; account: string; scope: AzureScope }): ExitError {
  if (error instanceof ExitError) return error;
  const auth = authError(error, ctx.what);
  if (auth) return auth;
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string }).code;
  if (status === 404) {
    return new ExitError(EXIT.NOT_FOUND, msg.accountNotFound(ctx.account, ctx.scope.resourceGroup, ctx.scope.subscriptionId, code), { cause: error });
  }
  if (status === 429) {
    return new ExitError(EXIT.FAILED, msg.throttled(ctx.what), { cause: error });
  }
  return new ExitError(EXIT.FAILED, msg.armFailed(ctx.what, describeError(error), status), { cause: error });
}
