import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Catalogue, EnvironmentConfig } from '@cvat-cloud/catalogue';
import { buildApp } from '../app';
import { loadSynthesizedApp, type SynthesizedStack } from '../policy/model';

/**
 * Synthesizes an environment's stacks into a private temporary folder and returns their Terraform JSON, so the
 * estimate prices exactly what `cvat-infra synth` would write (resources added by any construct included). The folder
 * is removed before returning; nothing else is written. Offline, about a second.
 */
export function synthesizeStacks(config: EnvironmentConfig, catalogue: Catalogue): SynthesizedStack[] {
  const outdir = mkdtempSync(join(tmpdir(), 'cvat-cost-synth-'));
  try {
    const { app } = buildApp({ config, catalogue, outdir, stateRoot: join(outdir, 'state') });
    app.synth();
    return [...loadSynthesizedApp(outdir).stacks];
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
