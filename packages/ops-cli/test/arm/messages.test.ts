/**
 * Composed error messages end in one full stop: a reason quoted from Azure ("… could not be found.") inside a
 * sentence that adds its own used to print "found.. Check". Checked through the real process edge (main) against
 * the fake ARM, and on the helpers themselves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/index';
import { clause, tidyMessage } from '../../src/output/tidy';
import { EXIT } from '@cvat-cloud/runtime';
import { FakeArmServer } from '@cvat-cloud/testing';
import { testRuntime, type TestRuntime } from '../support/test-runtime';
import { makeTestRepo, TEST_SUBSCRIPTION, type TestRepo } from './support/catalogue-fixture';

describe('message full stops', () => {
  it('collapses a doubled stop before a space or the end, and leaves ellipses and ../ alone', () => {
    expect(tidyMessage("Resource group 'x' could not be found.. Check it.")).toBe("Resource group 'x' could not be found. Check it.");
    expect(tidyMessage('failed: ENOENT.')).toBe('failed: ENOENT.');
    expect(tidyMessage('failed: timed out..')).toBe('failed: timed out.');
    expect(tidyMessage('wait... then ../up and ..')).toBe('wait... then ../up and ..');
    expect(clause('The Resource was not found.')).toBe('The Resource was not found');
    expect(clause('etc...')).toBe('etc...');
  });

  describe('through the CLI edge', () => {
    let repo: TestRepo;
    let fake: FakeArmServer;
    let runtime: TestRuntime;
    beforeEach(async () => {
      repo = makeTestRepo();
      // the fake serves another resource group: every read of the environment's answers ResourceGroupNotFound
      fake = await FakeArmServer.start({ subscriptionId: TEST_SUBSCRIPTION, resourceGroup: 'some-other-rg' });
      runtime = testRuntime({ cwd: repo.dir, armEndpoint: fake.url });
    });
    afterEach(async () => {
      await fake.close();
      repo.remove();
    });

    it('prints an ARM not-found reason once, with a single full stop', async () => {
      const code = await main(['status', '--env', 'test'], runtime);
      expect(code).toBe(EXIT.NOT_FOUND);
      const err = runtime.err();
      expect(err).toContain("Resource group 'cvat-test-rg' could not be found. ");
      expect(err).not.toMatch(/[^.]\.\.(\s|$)/);
    });

    it('the same with --json', async () => {
      await main(['drift', '--env', 'test', '--json'], runtime);
      const body = JSON.parse(runtime.out()) as { error: { message: string } };
      expect(body.error.message).toContain('could not be found. ');
      expect(body.error.message).not.toMatch(/[^.]\.\.(\s|$)/);
    });
  });
});
