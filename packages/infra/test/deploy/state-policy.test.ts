import { describe, expect, it } from 'vitest';
import { checkStatePolicy } from '../../src/deploy/state-policy';

describe('checkStatePolicy', () => {
  it('allows the azurerm backend for any environment, and local state for the committed example', () => {
    expect(checkStatePolicy({ environment: 'prod', backendType: 'azurerm' })).toEqual({ allowed: true });
    expect(checkStatePolicy({ environment: 'example', backendType: 'local' })).toEqual({ allowed: true });
  });

  it('refuses local state for any other environment, naming the field, the environment and both ways out', () => {
    const decision = checkStatePolicy({ environment: 'dev', backendType: 'local' });
    expect(decision.allowed).toBe(false);
    const message = (decision as { message: string }).message;
    expect(message).toContain("'stateBackend.type' (local) is refused for environment 'dev'");
    expect(message).toContain("stateBackend.type 'azurerm'");
    expect(message).toContain('--allow-local-state');
    expect(message).toContain('no lock');
  });

  it('allows it with --allow-local-state, with a warning that says what is accepted', () => {
    const decision = checkStatePolicy({ environment: 'dev', backendType: 'local', allowLocalState: true });
    expect(decision).toEqual({
      allowed: true,
      warning: expect.stringContaining("environment 'dev' deploys with stateBackend.type 'local'"),
    });
  });

  it('does not treat a name that merely contains "example" as the example', () => {
    expect(checkStatePolicy({ environment: 'example-prod', backendType: 'local' }).allowed).toBe(false);
  });
});
