'use strict';
// An Nx executor that runs a project's package.json script like `nx:run-script`, but without a shell.
//
// Nx's own run-script joins the arguments after `--` with spaces and hands the string to a shell
// (nx@24.0.6 dist/src/executors/run-script/run-script.impl.js: `pm.run(script, __unparsed__.join(' '))`,
// spawned with `shell: true`), so `nx run infra:synth -- --env 'x;touch pwned'` ran `touch pwned`.
// Here the script's own command line (ours, checked to be plain words) is split on spaces and every
// argument the user typed is appended as one argv entry, exactly as given.
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Characters a script line may not contain: it is split on spaces, never interpreted by a shell. */
const SHELL_SYNTAX = /["'`$\\|&;<>(){}*?!#~\n]/;

/**
 * The argv of a package.json script line: plain words separated by spaces. `node` becomes this Node
 * binary (what npm does by putting the same node first on PATH).
 * @param {string} line
 * @returns {string[]}
 */
function scriptArgv(line) {
  if (SHELL_SYNTAX.test(line)) {
    throw new Error(`script '${line}' uses shell syntax; write it as plain words (the run-script executor runs no shell)`);
  }
  const argv = line.trim().split(/ +/);
  if (argv[0] === 'node') argv[0] = process.execPath;
  return argv;
}

/**
 * @param {{ script?: string, __unparsed__?: string[] }} options
 * @param {{ root: string, projectName: string, targetName: string, projectsConfigurations: { projects: Record<string, { root: string }> } }} context
 * @returns {Promise<{ success: boolean }>}
 */
async function runScript(options, context) {
  const cwd = join(context.root, context.projectsConfigurations.projects[context.projectName].root);
  const name = options.script ?? context.targetName;
  let argv;
  try {
    const scripts = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).scripts ?? {};
    if (typeof scripts[name] !== 'string') throw new Error(`no script '${name}' in ${join(cwd, 'package.json')}`);
    argv = [...scriptArgv(scripts[name]), ...(options.__unparsed__ ?? [])];
  } catch (error) {
    process.stderr.write(`run-script: ${error instanceof Error ? error.message : String(error)}\n`);
    return { success: false };
  }
  const binDirs = [join(cwd, 'node_modules', '.bin'), join(context.root, 'node_modules', '.bin')];
  const env = { ...process.env, PATH: [...binDirs, process.env.PATH ?? ''].join(require('node:path').delimiter) };
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: 'inherit', shell: false });
    const forward = (signal) => () => {
      if (child.exitCode === null) child.kill(signal);
    };
    const handlers = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => [s, forward(s)]);
    for (const [s, h] of handlers) process.on(s, h);
    const done = (success) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve({ success });
    };
    child.on('error', (error) => {
      process.stderr.write(`run-script: cannot start ${argv[0]}: ${error.message}\n`);
      done(false);
    });
    child.on('exit', (code) => done(code === 0));
  });
}

module.exports = runScript;
module.exports.default = runScript;
module.exports.scriptArgv = scriptArgv;
