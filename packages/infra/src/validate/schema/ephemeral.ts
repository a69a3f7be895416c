/**
 * Schemas of the ephemeral resource types the stacks write. cdktf 0.21 generates no bindings for ephemeral resources
 * (so `generate.ts` has nothing to read): these are written by hand from the provider source at the pinned version and
 * checked by the same structure check and value rules as the generated ones.
 */
import type { TypeSchema } from './types';

/** `ephemeral "random_password"`: hashicorp/terraform-provider-random@v3.7.2 internal/provider/ephemeral_password.go `Schema`. */
const RANDOM_PASSWORD: TypeSchema = {
  kind: 'ephemeral',
  type: 'random_password',
  provider: 'hashicorp/random 3.7.2',
  module: 'hashicorp/terraform-provider-random@v3.7.2 internal/provider/ephemeral_password.go (no cdktf binding)',
  block: {
    attributes: {
      length: { required: true, type: 'number' },
      special: { required: false, type: 'boolean' },
      upper: { required: false, type: 'boolean' },
      lower: { required: false, type: 'boolean' },
      numeric: { required: false, type: 'boolean' },
      min_numeric: { required: false, type: 'number' },
      min_upper: { required: false, type: 'number' },
      min_lower: { required: false, type: 'number' },
      min_special: { required: false, type: 'number' },
      override_special: { required: false, type: 'string' },
    },
    blocks: {},
    computedOnly: ['result', 'bcrypt_hash'],
  },
};

/** Hand-written schemas by key (`ephemeral.<type>`). */
export const EPHEMERAL_SCHEMAS: Readonly<Record<string, TypeSchema>> = { 'ephemeral.random_password': RANDOM_PASSWORD };
