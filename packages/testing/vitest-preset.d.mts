import type { UserConfig, ViteUserConfig } from 'vitest/config';

/** Defaults every package shares. */
export declare const PRESET_DEFAULTS: { readonly include: string[]; readonly environment: 'node'; readonly testTimeoutMs: number };

/** A package's vitest config: the preset with `overrides` merged over it. */
export declare function defineProjectConfig(overrides?: ViteUserConfig): UserConfig;
