/**
 * Which terraform binary a tool runs: one variable, `TF_BINARY`, for cvat-infra (plan, deploy, destroy, validate) and
 * cvat-ops (reading outputs). Light, so a CLI's entry module can use it through `@cvat-cloud/runtime/edge`.
 */

/** The one variable naming the terraform binary (`terraform`, `tofu` or a path). */
export const TERRAFORM_BINARY_VARIABLE = 'TF_BINARY';

/** Older names still accepted, each with a deprecation warning; `TF_BINARY` wins when both are set. */
export const DEPRECATED_TERRAFORM_BINARY_VARIABLES: readonly string[] = ['TERRAFORM_BIN', 'TERRAFORM_BINARY_NAME'];

/** Where the binary came from: the flag, `TF_BINARY`, a deprecated name, or the default `terraform` on PATH. */
export interface TerraformBinary {
  readonly binary: string;
  readonly source: string;
}

/**
 * `flag` (e.g. `--binary`), else `TF_BINARY`, else a deprecated name (with a warning), else `terraform`.
 * Empty values count as unset.
 */
export function terraformBinary(options: {
  readonly flag?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warn?: (message: string) => void;
}): TerraformBinary {
  if (options.flag?.trim()) return { binary: options.flag, source: '--binary' };
  const current = options.env[TERRAFORM_BINARY_VARIABLE];
  if (current?.trim()) return { binary: current, source: TERRAFORM_BINARY_VARIABLE };
  for (const name of DEPRECATED_TERRAFORM_BINARY_VARIABLES) {
    const value = options.env[name];
    if (value?.trim()) {
      options.warn?.(`warning: ${name} is deprecated; set ${TERRAFORM_BINARY_VARIABLE}=${value} instead (docs/environment-variables.md).`);
      return { binary: value, source: name };
    }
  }
  return { binary: 'terraform', source: 'default' };
}
