import { describe, expect, it } from 'vitest';
import { confirmAction } from '../src/context/confirm';
import { ExitError } from '../src/errors';
import { testRuntime } from './support/test-runtime';

const base = { action: 'delete 2 container apps in cvat-dev-rg', items: ['cvat-ui', 'cvat-server'], rerun: 'cvat-ops apps delete cvat-ui cvat-server --env dev --yes' };

describe('confirmAction', () => {
  it('proceeds without asking when --yes was given, even without a TTY', async () => {
    const rt = testRuntime({ isTTY: false });
    await expect(confirmAction({ ...base, yes: true, terminal: rt })).resolves.toBeUndefined();
    expect(rt.err()).toBe('');
  });

  it('refuses with exit 3 in a non-interactive shell, naming the action and the command to re-run', async () => {
    const rt = testRuntime({ isTTY: false });
    const e = (await confirmAction({ ...base, yes: false, terminal: rt }).catch((x: unknown) => x)) as ExitError;
    expect(e).toBeInstanceOf(ExitError);
    expect(e.code).toBe(3);
    expect(e.message).toBe(
      'Refusing to delete 2 container apps in cvat-dev-rg without --yes in a non-interactive shell; nothing was changed. ' +
        'Check the plan with --dry-run, then run: cvat-ops apps delete cvat-ui cvat-server --env dev --yes',
    );
  });

  it.each(['y', 'yes', 'YES'])('on a TTY, lists the items and proceeds on %j', async (answer) => {
    const rt = testRuntime({ isTTY: true });
    const pending = confirmAction({ ...base, yes: false, terminal: rt });
    rt.stdinStream.write(`${answer}\n`);
    await expect(pending).resolves.toBeUndefined();
    expect(rt.err()).toContain('About to delete 2 container apps in cvat-dev-rg:\n  - cvat-ui\n  - cvat-server\n');
    expect(rt.err()).toContain('Proceed? [y/N]');
  });

  it.each(['', 'n', 'no', 'maybe'])('on a TTY, cancels with exit 3 on %j', async (answer) => {
    const rt = testRuntime({ isTTY: true });
    const pending = confirmAction({ ...base, yes: false, terminal: rt });
    rt.stdinStream.write(`${answer}\n`);
    await expect(pending).rejects.toMatchObject({ code: 3, message: expect.stringMatching(/^Cancelled; nothing was changed/) });
  });

  it('on a TTY, cancels when input ends before an answer', async () => {
    const rt = testRuntime({ isTTY: true });
    const pending = confirmAction({ ...base, yes: false, terminal: rt });
    rt.stdinStream.end();
    await expect(pending).rejects.toMatchObject({ code: 3 });
  });
});
