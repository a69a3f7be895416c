/**
 * The "load environment, resolve catalogue, format issues" preamble every command needs, written once: loading
 * `environments/<name>.yaml` (or a path) through the catalogue's own loader, resolving the catalogue, and turning
 * every issue into one {@link CliError} CONFIG that lists each field, its value and what is allowed. Which
 * environment was asked for is ./environment-ref.
 */
import {
  formatIssues,
  loadEnvironmentConfig,
  resolveCatalogue,
  resourceNames,
  type Catalogue,
  type EnvironmentConfig,
  type Issue,
  type ResourceNames,
} from '@cvat-cloud/catalogue';
import { CliError } from './errors';
import { EXIT } from './exit';

/** An environment with everything derived from it. */
export interface LoadedEnvironment {
  /** What was asked for (a name or a path). */
  readonly ref: string;
  readonly config: EnvironmentConfig;
  /** Azure resource names derived from the config (catalogue `resourceNames`). */
  readonly names: ResourceNames;
  /** The catalogue with the environment's overrides applied. */
  readonly catalogue: Catalogue;
  /** Warnings from loading the config and resolving the catalogue (not errors: the environment is usable). */
  readonly warnings: readonly Issue[];
}

/** Options of {@link loadEnvironment}. */
export interface LoadEnvironmentOptions {
  /** Directory to find `environments/` from (walking up) and to resolve a relative path against. */
  readonly cwd: string;
  /** A command that checks the fixed file, for the hint (e.g. `cvat-ops status --env dev --dry-run`). @default - none */
  readonly checkCommand?: string;
}

/** Issues as indented `- <file>: '<field>' (<value>) must …` lines (the catalogue's own formatter). */
export function formatIssueLines(issues: readonly Issue[]): string {
  return formatIssues(issues)
    .split('\n')
    .map((line) => `  - ${line}`)
    .join('\n');
}

/** Warnings as `warning: …` lines, for stderr. */
export function formatWarnings(warnings: readonly Issue[]): string[] {
  return warnings.map((w) => `warning: ${w.file ? `${w.file}: ` : ''}${w.message}`);
}

/** True when the loader's issues say the file (or the environments/ directory) does not exist. */
function isMissing(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.rule === 'load' && (/must exist$/.test(i.message) || /no environments\/ directory/.test(i.message)));
}

/**
 * Loads `ref` (a name or a path) relative to `cwd`, validates it, and resolves its catalogue.
 *
 * Every failure is {@link CliError} CONFIG (exit 4), whoever calls it: a missing file (`Environment 'x' was not
 * found` and how to create it), YAML or schema errors and rule violations (`Environment 'x' is invalid`), and an
 * invalid catalogue after the overrides (`The catalogue resolved for environment 'x' is invalid`), each listing
 * every issue with its field, value and what is allowed.
 */
export function loadEnvironment(ref: string, options: LoadEnvironmentOptions): LoadedEnvironment {
  const loaded = loadEnvironmentConfig(ref, { cwd: options.cwd });
  if (loaded.errors) {
    const missing = isMissing(loaded.errors);
    const next = missing
      ? `Copy environments/example.yaml to environments/${ref}.yaml and edit it.`
      : options.checkCommand
        ? `Fix the file and check it with: ${options.checkCommand}`
        : 'Fix the file and run the command again.';
    throw new CliError(EXIT.CONFIG, `Environment '${ref}' ${missing ? 'was not found' : 'is invalid'}:\n${formatIssueLines(loaded.errors)}\n${next}`, {
      data: { issues: loaded.errors },
    });
  }
  const config = loaded.value;
  const resolved = resolveCatalogue(config);
  if (resolved.errors) {
    throw new CliError(
      EXIT.CONFIG,
      `The catalogue resolved for environment '${ref}' is invalid:\n${formatIssueLines(resolved.errors)}\nFix the overrides under 'components' in the environment file.`,
      { data: { issues: resolved.errors } },
    );
  }
  return { ref, config, names: resourceNames(config), catalogue: resolved.value, warnings: [...loaded.warnings, ...resolved.warnings] };
}
