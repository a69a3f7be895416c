import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT, assertCanConfirm, confirmAction, confirmationPolicy, terminalConfirmer } from '../src';

function terminal(isTTY: boolean) {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c));
  return { stdin, stderr, isTTY, err: () => Buffer.concat(chunks).toString() };
}

const base = {
  action: 'delete 2 container apps in cvat-dev-rg',
  items: ['cvat-ui', 'cvat-server'],
  rerun: 'cvat-ops apps delete cvat-ui cvat-server --env dev --yes',
};

describe('confirmAction', () => {
  it('proceeds without asking when --yes was given, even without a TTY', async () => {
    const t = terminal(false);
    await expect(confirmAction({ ...base, yes: true, terminal: t })).resolves.toBeUndefined();
    expect(t.err()).toBe('');
  });

  it('refuses with exit 3 in a non-interactive shell, naming the action and the command to re-run', async () => {
    const e = (await confirmAction({ ...base, yes: false, terminal: terminal(false) }).catch((x: unknown) => x)) as CliError;
    expect(e).toBeInstanceOf(CliError);
    expect(e.exit).toBe(EXIT.REFUSED);
    expect(e.message).toBe(
      'Refusing to delete 2 container apps in cvat-dev-rg without --yes in a non-interactive shell; nothing was changed. ' +
        'Check the plan with --dry-run, then run: cvat-ops apps delete cvat-ui cvat-server --env dev --yes',
    );
  });

  it('treats CI=true like --yes only when the tool opts in', async () => {
    await expect(
      confirmAction({ ...base, yes: false, terminal: terminal(false), env: { CI: 'true' }, ciMeansYes: true }),
    ).resolves.toBeUndefined();
    await expect(confirmAction({ ...base, yes: false, terminal: terminal(false), env: { CI: 'true' } })).rejects.toMatchObject({
      exit: EXIT.REFUSED,
    });
  });

  it.each(['y', 'yes', 'YES'])('on a TTY, lists the items and proceeds on %j', async (answer) => {
    const t = terminal(true);
    const pending = confirmAction({ ...base, yes: false, terminal: t });
    t.stdin.write(`${answer}\n`);
    await expect(pending).resolves.toBeUndefined();
    expect(t.err()).toContain('About to delete 2 container apps in cvat-dev-rg:\n  - cvat-ui\n  - cvat-server\n');
    expect(t.err()).toContain('Proceed? [y/N]');
  });

  it.each(['', 'n', 'no', 'maybe'])('on a TTY, cancels with exit 3 on %j', async (answer) => {
    const t = terminal(true);
    const pending = confirmAction({ ...base, yes: false, terminal: t });
    t.stdin.write(`${answer}\n`);
    await expect(pending).rejects.toMatchObject({ exit: EXIT.REFUSED, message: expect.stringMatching(/^Cancelled; nothing was changed/) });
  });

  it('on a TTY, cancels when input ends before an answer', async () => {
    const t = terminal(true);
    const pending = confirmAction({ ...base, yes: false, terminal: t });
    t.stdin.end();
    await expect(pending).rejects.toMatchObject({ exit: EXIT.REFUSED });
  });

  it('on a TTY, Ctrl-C at the prompt is exit 130 with nothing changed', async () => {
    const t = terminal(true);
    const pending = confirmAction({ ...base, yes: false, terminal: t });
    await new Promise((r) => setImmediate(r));
    t.stdin.write('\u0003');
    await expect(pending).rejects.toMatchObject({
      exit: EXIT.INTERRUPTED,
      message: 'Interrupted at the confirmation; nothing was changed.',
    });
  });
});

describe('confirmationPolicy and terminalConfirmer', () => {
  it('decides auto, prompt or refuse', () => {
    expect(confirmationPolicy({ yes: true, isTTY: false })).toEqual({ mode: 'auto', reason: '--yes' });
    expect(confirmationPolicy({ yes: false, isTTY: false, env: { CI: '1' }, ciMeansYes: true })).toEqual({
      mode: 'auto',
      reason: 'CI=true',
    });
    expect(confirmationPolicy({ yes: false, isTTY: true })).toEqual({ mode: 'prompt' });
    expect(confirmationPolicy({ yes: false, isTTY: false }).mode).toBe('refuse');
  });

  it('asks a yes/no question', async () => {
    const t = terminal(true);
    const answer = terminalConfirmer(t).confirm('Apply stack apps?');
    t.stdin.write('y\n');
    expect(await answer).toBe(true);
    expect(t.err()).toContain('Apply stack apps? [y/N] ');
  });
});

describe('assertCanConfirm (fail fast, before any network call)', () => {
  it('throws the same REFUSED error as confirmAction when there is no terminal and no --yes', async () => {
    const early = (() => {
      try {
        assertCanConfirm({ ...base, yes: false, terminal: { isTTY: false } });
      } catch (e) {
        return e as CliError;
      }
      throw new Error('assertCanConfirm did not throw');
    })();
    const late = (await confirmAction({ ...base, yes: false, terminal: terminal(false) }).catch((x: unknown) => x)) as CliError;
    expect(early).toBeInstanceOf(CliError);
    expect(early.exit).toBe(EXIT.REFUSED);
    expect(early.message).toBe(late.message);
  });

  it('returns when --yes was given, on a terminal (confirmAction will ask), or with CI=true where CI means yes', () => {
    expect(() => assertCanConfirm({ ...base, yes: true, terminal: { isTTY: false } })).not.toThrow();
    expect(() => assertCanConfirm({ ...base, yes: false, terminal: { isTTY: true } })).not.toThrow();
    expect(() =>
      assertCanConfirm({ ...base, yes: false, terminal: { isTTY: false }, env: { CI: 'true' }, ciMeansYes: true }),
    ).not.toThrow();
    expect(() => assertCanConfirm({ ...base, yes: false, terminal: { isTTY: false }, env: { CI: 'true' } })).toThrow(CliError);
  });
});
