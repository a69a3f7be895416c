/**
 * `cvat-infra policy`: runs the named policy rules over a synth output and returns the findings; exit 1 (FAILED)
 * when a rule finds a violation.
 */
import { resolve } from 'node:path';
import { CliError, EXIT } from '@cvat-cloud/runtime';
import { resourceNames } from '@cvat-cloud/catalogue';
import { DEFAULT_OUTDIR } from '../app';
import { formatPolicyReport, loadSynthesizedApp, resources, runPolicy } from '../policy/index';
import type { SynthesizedApp } from '../policy/model';
import type { ExpectedGlobalNames } from '../policy/rules';
import { type CommandResult, type InfraIo, loadInfraEnvironment } from './context';
import { workspacePath } from './synth';

/** Options of `cvat-infra policy`. */
export interface PolicyCommandOptions {
  /** Environment whose derived global names are expected. */
  readonly env: string;
  /** Synth output. @default packages/infra/cdktf.out */
  readonly out?: string;
  readonly json: boolean;
}

/** The global names an environment derives, for the `global-names-from-config` rule. */
export async function expectedGlobalNames(env: string, cwd: string): Promise<ExpectedGlobalNames> {
  const loaded = await loadInfraEnvironment(env, { cwd });
  const names = resourceNames(loaded.config);
  return {
    storageAccounts: [names.storageAccount, names.nfsStorageAccount],
    keyVault: names.keyVault,
    postgresServer: names.postgresServer,
    dnsLabel: names.dnsLabel,
  };
}

/** `cvat-infra policy`. */
export async function policyCommand(options: PolicyCommandOptions, io: InfraIo): Promise<CommandResult> {
  const outdir = options.out ? resolve(io.cwd, options.out) : DEFAULT_OUTDIR;
  const expected = await expectedGlobalNames(options.env, io.cwd);
  let app: SynthesizedApp;
  try {
    app = loadSynthesizedApp(outdir);
  } catch (error) {
    throw new CliError(EXIT.CONFIG, `cannot read the synth output: ${(error as Error).message.split('\n')[0]}`, {
      hint: `cvat-infra synth --env ${options.env}${options.out ? ` --out ${options.out}` : ''}`,
      cause: error,
    });
  }
  const report = runPolicy(app, { expectedNames: expected });
  const data = {
    rules: report.rules.map((r) => ({ id: r.id, description: r.description, prevents: r.prevents })),
    findings: report.findings,
  };
  const text = `Policy over ${workspacePath(outdir)} (${app.stacks.length} stacks, ${resources(app).length} resources)\n${formatPolicyReport(report)}`;
  return { data, text, exitCode: report.findings.length ? EXIT.FAILED : EXIT.OK };
}
