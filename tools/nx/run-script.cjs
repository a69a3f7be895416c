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
 * The arguments a target passes on when it runs only because another target depends on it (`dependsOn` with
 * `params: forward` hands it every argument the user gave that other target): the flags named in
 * `dependencyFlags`, each with its value (`--env x` or `--env=x`); everything else was meant for the target the
 * user named. Without `dependencyFlags`, all of them.
 * @param {string[]} args
 * @param {string[] | undefined} keep
 * @returns {string[]}
 */
function dependencyArgs(args, keep) {
  if (!keep) return args;
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const flag = arg.split('=', 1)[0];
    if (!keep.includes(flag)) continue;
    if (arg.includes('=')) out.push(arg);
    else if (i + 1 < args.length) out.push(arg, args[++i]);
  }
  return out;
}

/**
 * True when some other task in this run depends on this one (it runs as a dependency, not only as asked).
 * Edges are `{ id }` objects in nx@24 (dist/src/native/index.d.ts, TaskGraphEdge); plain ids are accepted too.
 * @param {{ projectName: string, targetName: string, taskGraph?: { dependencies?: Record<string, Array<string | { id: string }>> } }} context
 */
function runsAsDependency(context) {
  const self = `${context.projectName}:${context.targetName}`;
  const isSelf = (id) => id === self || id.startsWith(`${self}:`);
  const edgeId = (edge) => (typeof edge === 'string' ? edge : edge.id);
  return Object.entries(context.taskGraph?.dependencies ?? {}).some(([id, deps]) => !isSelf(id) && deps.some((d) => isSelf(edgeId(d))));
}

/**
 * @param {{ script?: string, dependencyFlags?: string[], __unparsed__?: string[] }} options
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
    const given = options.__unparsed__ ?? [];
    argv = [...scriptArgv(scripts[name]), ...(runsAsDependency(context) ? dependencyArgs(given, options.dependencyFlags) : given)];
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
module.exports.dependencyArgs = dependencyArgs;
module.exports.runsAsDependency = runsAsDependency;
