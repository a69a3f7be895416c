/**
 * Every command the user documentation shows exists. From README.md, docs/*.md and packages/*\/README.md (whose
 * `npm run` runs in that package) — whole lines of fenced code blocks
 * (a `$ ` prompt is dropped, `\` continuations joined, `&&`/`;`/`|` split) and every inline code span — it takes the
 * commands of these forms and checks them against the real thing:
 * - `npx nx run <project>:<target> [nx options] [-- args]`: the project and target exist (package.json `scripts` and
 *   `nx.targets`), the Nx options are options of the installed Nx (`nx run-many --help`), and when the target runs one
 *   of our CLIs (`node dist/cli.js deploy …`), the arguments after `--` are checked as that subcommand's;
 *   `nx affected`/`nx run-many -t …`: every target exists somewhere; other `nx <command>`: listed by `nx --help`;
 * - `[npx] cvat-infra|cvat-ops|cvat-smoke …` and `node packages/<p>/dist/<entry>.js …`: every subcommand on the way
 *   and every `--flag` is accepted, asked of the built CLI itself (`<entry> <subcommand…> --help`, commander's help);
 * - `npm run <script> [-w <workspace>]`, `npm test`: the script exists in that package.json;
 * - `node tools/….mjs`: the file exists;
 * - `terraform [-chdir=packages/infra/cdktf.out/stacks/<stack>] <command> …`: the stack exists and an `output <name>`
 *   is one of its outputs (in a synth of the example environment); with a terraform binary on PATH, the command, its
 *   subcommand and every flag are terraform's (`terraform <command> -help`), else that part is skipped and said so.
 * A placeholder (`<name>`, `…`, `$ENV`, `[options]`) is accepted as a value and stops the check where it stands for a
 * subcommand or target. Each checker is also run on made-up commands to show that it reports them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/** The documents whose commands are checked. */
function documentFiles(): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
    ...readdirSync(join(root, 'packages'))
      .map((p) => `packages/${p}/README.md`)
      .filter((f) => existsSync(join(root, f))),
  ].sort();
}

// ------------------------------------------------------------------------------------------------ extraction

/** One command shown in a document. */
interface Shown {
  /** `file:line`. */
  readonly where: string;
  /** The command as shown (one simple command, comments and prompt removed). */
  readonly text: string;
}

/** Fenced blocks in these languages hold no shell commands (diagrams, data, code). */
const NOT_SHELL = new Set(['mermaid', 'json', 'jsonc', 'yaml', 'yml', 'ts', 'typescript', 'js', 'javascript', 'hcl', 'xml', 'diff']);

/** First words of the commands this test checks. */
const COMMAND_START = new RegExp(
  [
    /^(?:npx\s+)?(?:nx\s|nx$|cvat-(?:infra|ops|smoke)(?:\s|$))/.source,
    /^npm\s+(?:run|run-script|test|t)(?:\s|$)/.source,
    /^node\s+(?:packages|tools)\//.source,
    /^terraform\s+(?:-|[a-z][a-z-]*(?:\s|$))/.source,
  ].join('|'),
);

/** Splits a shell line into simple commands on `&&`, `||`, `;` and `|` outside quotes, dropping a `#` comment. */
function simpleCommands(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') current += line[i++];
      current += c;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) break;
    else if (c === ';' || c === '|' || (c === '&' && line[i + 1] === '&')) {
      out.push(current);
      current = '';
      if (line[i + 1] === c) i++;
      continue;
    }
    current += c;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Drops leading `NAME=value` assignments and a `$ ` prompt. */
function commandPart(text: string): string {
  return text.replace(/^\$\s+/, '').replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, '');
}

/** Every command of a checked form in one markdown document, with its line. */
function shownCommands(markdown: string, file: string): Shown[] {
  const shown: Shown[] = [];
  const seen = new Set<string>();
  const add = (line: number, text: string): void => {
    const t = commandPart(text.trim()).replace(/\s+/g, ' ');
    const key = `${line}\u0000${t}`;
    if (!COMMAND_START.test(t) || seen.has(key)) return;
    seen.add(key);
    shown.push({ where: `${file}:${line}`, text: t });
  };
  const spans = (text: string, firstLine: number): void => {
    for (const m of text.matchAll(/(?<!`)`([^`]+)`(?!`)/g)) {
      const line = firstLine + (text.slice(0, m.index).match(/\n/g)?.length ?? 0);
      for (const cmd of simpleCommands(m[1].replace(/\n/g, ' '))) add(line, cmd);
    }
  };
  // Prose is scanned a paragraph at a time: an inline code span may wrap onto the next line.
  let paragraph: { first: number; lines: string[] } | undefined;
  const flush = (): void => {
    if (paragraph) spans(paragraph.lines.join('\n'), paragraph.first);
    paragraph = undefined;
  };
  const lines = markdown.split('\n');
  let fence: { marker: string; shell: boolean } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(line);
    if (open && !fence) {
      flush();
      fence = { marker: open[1], shell: !NOT_SHELL.has(open[2].toLowerCase()) };
      continue;
    }
    if (fence && line.trim().startsWith(fence.marker)) {
      fence = undefined;
      continue;
    }
    if (!fence) {
      if (line.trim() === '') flush();
      else {
        paragraph ??= { first: i + 1, lines: [] };
        paragraph.lines.push(line);
      }
      continue;
    }
    if (!fence.shell) continue;
    // Inline code spans in the comments of a shell block, then the line itself as a command.
    spans(line, i + 1);
    let logical = line;
    const first = i + 1;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) logical = `${logical.replace(/\\\s*$/, ' ')}${lines[++i].trim()}`;
    for (const cmd of simpleCommands(logical.replace(/^\s*\$\s+/, ''))) add(first, cmd);
  }
  flush();
  return shown;
}

/** Splits a command into words, honouring single and double quotes (no expansion). */
function words(text: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current = (current ?? '') + text[++i];
      else current = (current ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current = current ?? '';
    } else if (/\s/.test(c)) {
      if (current !== undefined) out.push(current);
      current = undefined;
    } else current = (current ?? '') + c;
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** A word that stands for something the reader fills in. */
function isPlaceholder(word: string): boolean {
  return /<[^>]*>|…|\.\.\.|\$|^\[.*\]$/.test(word);
}

/** `[--out]` (an optional flag in a synopsis) is `--out`. */
const unbracket = (word: string): string => (/^\[(-[^\]]*)\]$/.test(word) ? word.slice(1, -1) : word);

// ------------------------------------------------------------------------------------------------ the real CLIs

/** What one command's `--help` says it accepts. */
interface HelpNode {
  /** Flag (`--env`, `-y`) → whether it takes a value. */
  readonly options: Map<string, 'none' | 'required' | 'optional'>;
  /** Subcommand names (aliases included). */
  readonly commands: Set<string>;
}

/** Parses commander's help: the `Options:`/`Global Options:` and `Commands:` sections, two-space indented entries. */
function parseCommanderHelp(text: string): HelpNode {
  const options = new Map<string, 'none' | 'required' | 'optional'>();
  const commands = new Set<string>();
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^(\S[^:]*):\s*$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const entry = /^ {2}(\S.*?)(?: {2,}|$)/.exec(line);
    if (!entry) continue;
    if (section === 'Options' || section === 'Global Options') {
      const column = entry[1];
      const arity = /<[^>]*>/.test(column) ? 'required' : /\[[^\]]*\]/.test(column) ? 'optional' : 'none';
      for (const flag of column.split(/,\s*/)) {
        const name = /^(-{1,2}[\w-]+)/.exec(flag.trim());
        if (name) options.set(name[1], arity);
      }
    } else if (section === 'Commands') {
      for (const name of entry[1].split(/\s/, 1)[0].split('|')) commands.add(name);
    }
  }
  return { options, commands };
}

const helpCache = new Map<string, HelpNode | string>();

/** The help of `node <entry> <path…> --help`, parsed; a string when the CLI could not answer (not built, crashed). */
function cliHelp(entry: string, path: readonly string[]): HelpNode | string {
  const key = [entry, ...path].join('\u0000');
  const cached = helpCache.get(key);
  if (cached) return cached;
  let result: HelpNode | string;
  if (!existsSync(entry)) {
    const built = existsSync(dirname(entry)) ? 'is not in the built package' : 'does not exist (build the package first)';
    result = `${entry.slice(root.length + 1)} ${built}`;
  } else {
    const r = spawnSync(process.execPath, [entry, ...path, '--help'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    result =
      r.status === 0
        ? parseCommanderHelp(r.stdout)
        : `'${[entry.slice(root.length + 1), ...path, '--help'].join(' ')}' exited ${r.status}: ${r.stderr.trim().split('\n')[0]}`;
  }
  helpCache.set(key, result);
  return result;
}

/**
 * Problems of `<cli> <words…>`: an unknown subcommand at any level, an option none of the commands on the path
 * accepts (commander accepts a parent's options after a subcommand), a CLI that does not answer `--help`.
 */
function cliProblems(shownAs: string, entry: string, args: readonly string[]): string[] {
  const path: string[] = [];
  const nodes: HelpNode[] = [];
  const first = cliHelp(entry, path);
  if (typeof first === 'string') return [first];
  nodes.push(first);
  let positional = false;
  for (let i = 0; i < args.length; i++) {
    const word = unbracket(args[i]);
    const node = nodes[nodes.length - 1];
    const where = [shownAs, ...path].join(' ');
    if (word === '--') break;
    if (word.startsWith('-') && word.length > 1) {
      const name = word.split('=', 1)[0];
      if (isPlaceholder(name)) continue;
      const arity = [...nodes]
        .reverse()
        .find((n) => n.options.has(name))
        ?.options.get(name);
      if (arity === undefined) {
        const known = [...new Set(nodes.flatMap((n) => [...n.options.keys()]))].join(', ');
        return [`'${where}' has no option '${name}' (it has ${known})`];
      }
      const next = args[i + 1];
      if (!word.includes('=') && next !== undefined && (arity === 'required' || (arity === 'optional' && !next.startsWith('-')))) i++;
      continue;
    }
    if (node.commands.size === 0 || positional) {
      positional = true;
      continue;
    }
    if (isPlaceholder(word)) return []; // `<command>`: which subcommand is the reader's choice
    if (!node.commands.has(word)) return [`'${where}' has no subcommand '${word}' (it has ${[...node.commands].join(', ')})`];
    path.push(word);
    const sub = cliHelp(entry, path);
    if (typeof sub === 'string') return [sub];
    nodes.push(sub);
  }
  return [];
}

// ------------------------------------------------------------------------------------------------ the workspace

interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly scripts: Record<string, string>;
  readonly targets: Set<string>;
  readonly bins: Record<string, string>;
}

function workspaces(): Workspace[] {
  const dirs = ['.', ...readdirSync(join(root, 'packages')).map((d) => `packages/${d}`), 'tools'];
  return dirs.flatMap((dir) => {
    if (!existsSync(join(root, dir, 'package.json'))) return [];
    const pkg = JSON.parse(read(join(dir, 'package.json'))) as {
      name: string;
      scripts?: Record<string, string>;
      bin?: Record<string, string> | string;
      nx?: { name?: string; targets?: Record<string, unknown> };
    };
    const scripts = pkg.scripts ?? {};
    const bins = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
    return [
      {
        dir,
        name: pkg.nx?.name ?? pkg.name,
        scripts,
        targets: new Set([...Object.keys(scripts), ...Object.keys(pkg.nx?.targets ?? {})]),
        bins,
      },
    ];
  });
}

/** Options and commands of the installed Nx, from its own help. */
interface NxCli {
  readonly runOptions: Set<string>;
  readonly commands: Set<string>;
}

function nxHelp(args: string[]): string {
  const bin = (JSON.parse(read('node_modules/nx/package.json')) as { bin: Record<string, string> }).bin.nx;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/nx', bin), ...args], { cwd: root, encoding: 'utf8', env: nxEnv });
  return `${r.stdout}\n${r.stderr}`;
}

/** `nx run-many --help` lists the task-running options `nx run` shares; `nx --help` lists the commands. */
function loadNx(): NxCli {
  const runOptions = new Set<string>(['--configuration', '-c', '--project', '--help', '--version']);
  for (const m of nxHelp(['run-many', '--help']).matchAll(/^\s+(-{1,2}[\w-]+(?:,\s*-{1,2}[\w-]+)*)/gm)) {
    for (const flag of m[1].split(/,\s*/)) runOptions.add(flag);
  }
  const commands = new Set<string>();
  for (const m of nxHelp(['--help']).matchAll(/^\s+nx ([\w:-]+)/gm)) commands.add(m[1]);
  return { runOptions, commands };
}

/** `--outputStyle`, `--output-style` and `--output-style=static` are the same Nx option. */
function nxOptionKnown(nx: NxCli, word: string): boolean {
  const name = word.split('=', 1)[0];
  const camel = name.replace(/(?<=\w)-([a-z])/g, (_, c: string) => c.toUpperCase());
  return nx.runOptions.has(name) || nx.runOptions.has(camel);
}

/** The CLI entry a package.json script runs (`node dist/cli.js deploy --stack x` → dist/cli.js + its words). */
function scriptCli(ws: Workspace, script: string | undefined): { entry: string; words: string[] } | undefined {
  const w = script?.split(/ +/) ?? [];
  if (w[0] !== 'node' || !w[1] || !/^dist\/.*\.js$/.test(w[1])) return undefined;
  return { entry: join(root, ws.dir, w[1]), words: w.slice(2) };
}

// ------------------------------------------------------------------------------------------------ the checker

interface Context {
  readonly workspaces: Workspace[];
  readonly nx: NxCli;
  readonly terraform: TerraformContext;
}

// ------------------------------------------------------------------------------------------------ terraform

/** What `terraform …` commands shown are checked against. */
interface TerraformContext {
  /** Stack name → its output names, from a synth of the example environment. */
  readonly stacks: ReadonlyMap<string, ReadonlySet<string>>;
  /** `terraform <path…> -help`, parsed; undefined when no terraform binary is on PATH (then not checked). */
  readonly help?: (path: readonly string[]) => TerraformHelp | string;
}

interface TerraformHelp {
  readonly options: Set<string>;
  readonly subcommands: Set<string>;
}

/** The terraform binary on PATH, if any. */
function terraformOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'terraform'))) return join(dir, 'terraform');
  return undefined;
}

/** Parses terraform's help: `-flag` entries, and the commands or subcommands it lists. */
function parseTerraformHelp(text: string, root: boolean): TerraformHelp {
  const options = new Set<string>();
  for (const m of text.matchAll(/^\s+(-[a-z][\w-]*)/gm)) options.add(m[1]);
  const subcommands = new Set<string>();
  const listing = root ? /^ {2}([a-z][\w-]*) {2,}\S/gm : /^ {4}([a-z][\w-]*) {2,}\S/gm;
  const section = root ? text : (text.split(/^Subcommands:\s*$/m)[1] ?? '');
  for (const m of section.matchAll(listing)) subcommands.add(m[1]);
  return { options, subcommands };
}

function terraformHelp(bin: string): (path: readonly string[]) => TerraformHelp | string {
  const cache = new Map<string, TerraformHelp | string>();
  return (path) => {
    const key = path.join(' ');
    const cached = cache.get(key);
    if (cached) return cached;
    const r = spawnSync(bin, [...path, '-help'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    const result = r.status === 0 ? parseTerraformHelp(`${r.stdout}\n${r.stderr}`, path.length === 0) : `'terraform ${key}' does not exist`;
    cache.set(key, result);
    return result;
  };
}

/** Synthesizes the example environment with the built cvat-infra into `dir`: stack → output names. */
function synthesizedStacks(dir: string): Map<string, Set<string>> {
  const out = join(dir, 'cdktf.out');
  const r = spawnSync(process.execPath, [join(root, 'packages/infra/dist/cli.js'), 'synth', '--out', out, '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cvat-infra synth failed (${r.status}): ${r.stderr}`);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const stacks = new Map<string, Set<string>>();
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    const json = JSON.parse(readFileSync(join(out, stack.synthesizedStackPath), 'utf8')) as { output?: Record<string, unknown> };
    stacks.set(name, new Set(Object.keys(json.output ?? {})));
  }
  return stacks;
}

/**
 * `terraform [-chdir=packages/infra/cdktf.out/stacks/<stack>] <command> [<subcommand>] [-flags] [args]`: the stack
 * exists, an `output <name>` is an output of that stack, and (with a terraform binary) the command, subcommand and
 * every flag are terraform's.
 */
function terraformProblems(shown: Shown, w: string[], tf: TerraformContext): string[] {
  const at = `${shown.where}: '${shown.text}'`;
  let i = 1;
  let stack: string | undefined;
  for (; i < w.length && w[i].startsWith('-'); i++) {
    const chdir = /^-chdir=(.*)$/.exec(w[i]);
    if (!chdir) continue;
    const m = /^packages\/infra\/cdktf\.out\/stacks\/([^/]+)\/?$/.exec(chdir[1]);
    if (!m) return [`${at}: -chdir=${chdir[1]} is not a stack folder (packages/infra/cdktf.out/stacks/<stack>)`];
    if (!isPlaceholder(m[1]) && !tf.stacks.has(m[1])) return [`${at}: no stack '${m[1]}' (stacks: ${[...tf.stacks.keys()].join(', ')})`];
    if (!isPlaceholder(m[1])) stack = m[1];
  }
  const command = w[i];
  if (command === undefined || isPlaceholder(command)) return [];
  const args = w.slice(i + 1);
  if (command === 'output' && stack) {
    const name = args.find((a) => !a.startsWith('-'));
    if (name && !isPlaceholder(name) && !tf.stacks.get(stack)!.has(name)) {
      return [`${at}: stack '${stack}' has no output '${name}' (it has ${[...tf.stacks.get(stack)!].join(', ')})`];
    }
  }
  if (!tf.help) return [];
  const top = tf.help([]);
  if (typeof top === 'string') return [`${at}: ${top}`];
  if (!top.subcommands.has(command)) return [`${at}: 'terraform ${command}' is not a terraform command`];
  const path = [command];
  let help = tf.help(path);
  if (typeof help === 'string') return [`${at}: ${help}`];
  const sub = args[0];
  if (sub !== undefined && help.subcommands.has(sub)) {
    path.push(sub);
    help = tf.help(path);
    if (typeof help === 'string') return [`${at}: ${help}`];
  }
  // apply and destroy also take every plan option (their help says so instead of listing them).
  const plan = command === 'apply' || command === 'destroy' ? tf.help(['plan']) : undefined;
  const options = new Set([...help.options, ...(plan && typeof plan !== 'string' ? plan.options : [])]);
  for (const arg of args) {
    const name = unbracket(arg).split('=', 1)[0];
    if (!name.startsWith('-') || isPlaceholder(name)) continue;
    if (!options.has(name)) return [`${at}: 'terraform ${path.join(' ')}' has no option '${name}'`];
  }
  return [];
}

function nxProblems(shown: Shown, w: string[], ctx: Context): string[] {
  const at = `${shown.where}: '${shown.text}'`;
  const sub = w[1];
  if (sub === undefined || isPlaceholder(sub)) return [];
  if (sub === 'run') {
    const spec = w[2];
    if (spec === undefined) return [`${at}: 'nx run' without <project>:<target>`];
    if (isPlaceholder(spec)) return [];
    const [project, target, configuration] = spec.split(':');
    const ws = ctx.workspaces.find((x) => x.name === project && x.dir !== '.');
    if (!ws)
      return [
        `${at}: no Nx project '${project}' (projects: ${ctx.workspaces
          .filter((x) => x.dir !== '.')
          .map((x) => x.name)
          .join(', ')})`,
      ];
    // `project:target:configuration` is Nx syntax too; accept it when `target:configuration` is not itself a target.
    const name = configuration !== undefined && ws.targets.has(`${target}:${configuration}`) ? `${target}:${configuration}` : target;
    if (!name || !ws.targets.has(name))
      return [`${at}: project '${project}' has no target '${name}' (it has ${[...ws.targets].join(', ')})`];
    const dash = w.indexOf('--', 3);
    const nxFlags = w.slice(3, dash === -1 ? undefined : dash).filter((x) => x.startsWith('-'));
    const programArgs = dash === -1 ? [] : w.slice(dash + 1);
    const unknown = nxFlags.filter((f) => !nxOptionKnown(ctx.nx, f));
    if (unknown.length > 0) return [`${at}: '${unknown[0]}' is not an option of nx run (program arguments go after --)`];
    const cli = scriptCli(ws, ws.scripts[name]);
    if (!cli || programArgs.length === 0) return [];
    const program = `node ${cli.entry.slice(root.length + 1)}`;
    return cliProblems(program, cli.entry, [...cli.words, ...programArgs]).map((p) => `${at}: ${project}:${name} runs ${p}`);
  }
  if (sub === 'affected' || sub === 'run-many') {
    const problems: string[] = [];
    const all = new Set(ctx.workspaces.flatMap((x) => [...x.targets]));
    for (let i = 2; i < w.length; i++) {
      const inline = /^(?:-t|--targets?)=(.+)$/.exec(w[i]);
      const targets: string[] = inline ? inline[1].split(',') : [];
      if (!inline && ['-t', '--targets', '--target'].includes(w[i]))
        while (i + 1 < w.length && !w[i + 1].startsWith('-')) targets.push(...w[++i].split(','));
      for (const t of targets) if (t && !isPlaceholder(t) && !all.has(t)) problems.push(`${at}: target '${t}' exists in no project`);
    }
    return problems;
  }
  return ctx.nx.commands.has(sub) ? [] : [`${at}: 'nx ${sub}' is not an Nx command`];
}

function npmProblems(shown: Shown, w: string[], ctx: Context): string[] {
  const at = `${shown.where}: '${shown.text}'`;
  // A package's README runs npm in that package's folder.
  let dir = /^(packages\/[^/]+)\/README\.md:/.exec(shown.where)?.[1] ?? '.';
  let script: string | undefined;
  const dash = w.indexOf('--');
  const own = dash === -1 ? w : w.slice(0, dash);
  for (let i = 2; i < own.length; i++) {
    const ws = /^(?:-w|--workspace)(?:=(.+))?$/.exec(own[i]);
    if (ws) dir = ws[1] ?? own[++i] ?? '.';
    else if (!own[i].startsWith('-') && script === undefined) script = own[i];
  }
  if (w[1] === 'test' || w[1] === 't') script = 'test';
  if (script === undefined || isPlaceholder(script) || isPlaceholder(dir)) return [];
  const target = ctx.workspaces.find((x) => x.dir === dir.replace(/\/$/, '') || x.name === dir);
  if (!target) return [`${at}: no workspace '${dir}'`];
  return script in target.scripts
    ? []
    : [`${at}: ${target.dir}/package.json has no script '${script}' (it has ${Object.keys(target.scripts).join(', ')})`];
}

/** Every problem of one shown command (none when it exists and takes every option shown). */
function commandProblems(shown: Shown, ctx: Context): string[] {
  let w = words(shown.text);
  if (w[0] === 'npx') w = w.slice(1);
  const at = `${shown.where}: '${shown.text}'`;
  if (w[0] === 'nx') return nxProblems(shown, w, ctx);
  if (w[0] === 'npm') return npmProblems(shown, w, ctx);
  if (w[0] === 'terraform') return terraformProblems(shown, w, ctx.terraform);
  if (w[0] === 'node') {
    const file = w[1];
    if (isPlaceholder(file)) return [];
    const ws = ctx.workspaces.find((x) => x.dir !== '.' && file.startsWith(`${x.dir}/dist/`));
    if (ws) return cliProblems(`node ${file}`, join(root, file), w.slice(2)).map((p) => `${at}: ${p}`);
    return existsSync(join(root, file)) ? [] : [`${at}: ${file} does not exist`];
  }
  const tool = w[0];
  const ws = ctx.workspaces.find((x) => tool in x.bins);
  if (!ws) return [`${at}: no package provides the binary '${tool}'`];
  return cliProblems(tool, join(root, ws.dir, ws.bins[tool]), w.slice(1)).map((p) => `${at}: ${p}`);
}

/** Problems of every command in the given markdown files (path → text). */
function documentProblems(docs: Record<string, string>, ctx: Context): { shown: Shown[]; problems: string[] } {
  const shown = Object.entries(docs).flatMap(([file, text]) => shownCommands(text, file));
  return { shown, problems: shown.flatMap((s) => commandProblems(s, ctx)) };
}

// ------------------------------------------------------------------------------------------------ the tests

const terraformBin = terraformOnPath();
let ctx: Context;
let synthDir: string;
beforeAll(() => {
  synthDir = mkdtempSync(join(tmpdir(), 'docs-commands-'));
  const terraform = { stacks: synthesizedStacks(synthDir), ...(terraformBin ? { help: terraformHelp(terraformBin) } : {}) };
  ctx = { workspaces: workspaces(), nx: loadNx(), terraform };
}, 120_000);
afterAll(() => rmSync(synthDir, { recursive: true, force: true }));

describe('commands shown in README.md and docs/*.md', () => {
  it('every nx target, CLI subcommand, flag and npm script shown exists', () => {
    const docs = Object.fromEntries(documentFiles().map((f) => [f, read(f)]));
    const { shown, problems } = documentProblems(docs, ctx);
    // The extractor finds every kind it exists for (an extractor that finds nothing would pass trivially).
    const kinds = (re: RegExp) => shown.filter((s) => re.test(s.text)).length;
    expect(kinds(/^npx nx run \S+:\S+ .*-- --/)).toBeGreaterThan(10);
    expect(kinds(/^(npx )?cvat-ops \w/)).toBeGreaterThan(10);
    expect(kinds(/^(npx )?cvat-infra \w/)).toBeGreaterThan(0);
    expect(kinds(/^(npx )?cvat-smoke/)).toBeGreaterThan(0);
    expect(kinds(/^npm (run|test)/)).toBeGreaterThan(2);
    expect(kinds(/^terraform -chdir=/)).toBeGreaterThan(3);
    if (!terraformBin) console.warn('docs-commands: no terraform binary on PATH; terraform subcommands and flags were not checked');
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('the checker reports what it exists to catch', () => {
  const check = (markdown: string) => documentProblems({ 'made-up.md': markdown }, ctx).problems;

  it('finds commands in fenced blocks (prompt, continuation, chains, comments) and inline spans, not in output lines', () => {
    const md = [
      'Run `npx cvat-ops status --env dev` first, then `npx cvat-ops drift',
      '--env dev` (a span may wrap).',
      '```sh',
      '$ npx nx run infra:plan -- --env dev \\',
      '    --json',
      'npm ci && npm test   # `cvat-infra synth --out x` in a comment',
      'CVAT_ENV=dev npx cvat-smoke --list',
      '```',
      '```',
      'cvat-infra: error: no Azure credentials found; nothing was changed.',
      '```',
      '```mermaid',
      'a --> b["cvat-ops drift"]',
      '```',
    ].join('\n');
    expect(shownCommands(md, 'x.md').map((s) => `${s.where} ${s.text}`)).toEqual([
      'x.md:1 npx cvat-ops status --env dev',
      'x.md:1 npx cvat-ops drift --env dev',
      'x.md:4 npx nx run infra:plan -- --env dev --json',
      'x.md:6 cvat-infra synth --out x',
      'x.md:6 npm test',
      'x.md:7 npx cvat-smoke --list',
    ]);
    expect(check(md)).toEqual([]);
  });

  it('a made-up flag of a CLI subcommand, at any depth, and of a target run through Nx', () => {
    expect(check('`npx cvat-ops status --env dev --made-up`')).toEqual([
      expect.stringMatching(/^made-up\.md:1: .*'cvat-ops status' has no option '--made-up' \(it has .*--env/),
    ]);
    expect(check('```\nnpx cvat-ops storage config push vector --env dev --force-all\n```')).toEqual([
      expect.stringContaining("'cvat-ops storage config push' has no option '--force-all'"),
    ]);
    expect(check('`npx nx run infra:deploy -- --env dev --yes --detect-ipp`')).toEqual([
      expect.stringContaining("infra:deploy runs 'node packages/infra/dist/cli.js deploy' has no option '--detect-ipp'"),
    ]);
    // The script's own words count: deploy:edge is `deploy --stack edge`, which takes --replace.
    expect(check('`npx nx run infra:deploy:edge -- --env dev --replace x`')).toEqual([]);
    expect(check('`node packages/infra/dist/cli.js synth --bogus`')).toEqual([expect.stringContaining("has no option '--bogus'")]);
    expect(check('`cvat-smoke --url https://x --nope`')).toEqual([expect.stringContaining("'cvat-smoke' has no option '--nope'")]);
  });

  it('a made-up subcommand, Nx target, project, Nx option, npm script and workspace', () => {
    expect(check('`cvat-infra synthesize --env dev`')).toEqual([expect.stringContaining("'cvat-infra' has no subcommand 'synthesize'")]);
    expect(check('`npx cvat-ops storage config pushh`')).toEqual([
      expect.stringContaining("'cvat-ops storage config' has no subcommand 'pushh'"),
    ]);
    expect(check('`npx nx run infra:deploy-everything`')).toEqual([
      expect.stringContaining("project 'infra' has no target 'deploy-everything'"),
    ]);
    expect(check('`npx nx run infrastructure:synth`')).toEqual([expect.stringContaining("no Nx project 'infrastructure'")]);
    expect(check('`npx nx run infra:synth --output-stile=static`')).toEqual([
      expect.stringContaining("'--output-stile=static' is not an option"),
    ]);
    expect(check('`npx nx run infra:synth --output-style=static --excludeTaskDependencies`')).toEqual([]);
    expect(check('`npx nx affected -t build tset`')).toEqual([expect.stringContaining("target 'tset' exists in no project")]);
    expect(check('`npm run synthh`')).toEqual([expect.stringContaining("./package.json has no script 'synthh'")]);
    expect(check('`npm run generate -w packages/catalogue`')).toEqual([]);
    expect(check('`npm run generate -w packages/infra`')).toEqual([
      expect.stringContaining("packages/infra/package.json has no script 'generate'"),
    ]);
    expect(check('`npm run bench -w packages/nope`')).toEqual([expect.stringContaining("no workspace 'packages/nope'")]);
    expect(check('`node tools/bench/nope.mjs`')).toEqual([expect.stringContaining('tools/bench/nope.mjs does not exist')]);
  });

  it('accepts placeholders as values, and stops where one stands for a subcommand or target', () => {
    expect(check('`cvat-infra <command> --anything`')).toEqual([]);
    expect(check('`npx nx run <project>:<target>`')).toEqual([]);
    expect(check('`npx cvat-ops logs <component> --env "$ENV" --follow`')).toEqual([]);
    expect(check('`cvat-infra policy [--out] [--env] [--json]`')).toEqual([]);
    expect(check('`cvat-infra policy [--outt]`')).toEqual([expect.stringContaining("has no option '--outt'")]);
  });

  it('terraform: a stack, output or folder the synthesized stacks do not have', () => {
    const tf = (cmd: string) => check(`\`${cmd}\``);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/edge output -raw edge_fqdn')).toEqual([]);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/<stack> force-unlock <ID>')).toEqual([]);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/edge output -raw cvat_url')).toEqual([
      expect.stringContaining("stack 'edge' has no output 'cvat_url' (it has edge_fqdn, edge_public_ip"),
    ]);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/frontdoor init')).toEqual([
      expect.stringContaining("no stack 'frontdoor'"),
    ]);
    expect(tf('terraform -chdir=packages/infra/stacks/edge init')).toEqual([expect.stringContaining('is not a stack folder')]);
  });

  it.skipIf(!terraformBin)('terraform: a made-up command, subcommand flag or option (needs terraform on PATH; skipped without one)', () => {
    const tf = (cmd: string) => check(`\`${cmd}\``);
    const mirror = 'terraform -chdir=packages/infra/cdktf.out/stacks/foundation providers mirror';
    expect(tf(`${mirror} -platform=linux_amd64 /srv/mirror`)).toEqual([]);
    expect(tf(`${mirror} -platfrom=linux_amd64 /srv/mirror`)).toEqual([
      expect.stringContaining("'terraform providers mirror' has no option '-platfrom'"),
    ]);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/apps init -migrate-state')).toEqual([]);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/apps init -migrate')).toEqual([
      expect.stringContaining("has no option '-migrate'"),
    ]);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/apps apply -replace=x.y')).toEqual([]);
    expect(tf('terraform -chdir=packages/infra/cdktf.out/stacks/apps unlock 1234')).toEqual([
      expect.stringContaining("'terraform unlock' is not a terraform command"),
    ]);
  });
});
