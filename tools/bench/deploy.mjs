#!/usr/bin/env node
// Deploy-speed benchmark: the real orchestrator (packages/infra/dist) drives the real terraform binary over stand-in
// stacks with the same resources, dependencies and stack wiring as the synthesized example environment, each resource
// a `terraform_data` whose create-time `local-exec` sleeps for its modelled Azure creation time, scaled down. The init
// job and superuser steps are stand-ins sleeping their modelled time. Prints:
//   - the floor: the longest chain of dependent resources (across stacks, through the outputs each stack reads);
//   - the sum of the sequential steps: stacks one after the other, terraform's default -parallelism 10, the init job
//     after the whole apps stack and the edge after it (the orchestrator before issue 17), simulated on the model and
//     measured by running the orchestrator that way on the same stand-ins (skip with --no-baseline);
//   - the measured critical path of the real run (scaled back to modelled minutes, terraform's own overhead included),
//     whether every apps resource started as soon as its dependencies were done (one wave), and the edge's overlap;
//   - provider downloads in a fresh run: the three stacks' real provider requirements installed through the deploy's
//     own plugin-cache and lock-file code against a loopback stand-in provider mirror (counting archive downloads),
//     compared with per-stack installs (no shared cache) and with a warm machine.
// Figures are printed, not asserted. Needs a build (npx nx run infra:build), terraform, and openssl for the mirror.
//
//   node tools/bench/deploy.mjs [--seconds-per-minute 2] [--env example] [--no-baseline] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const infra = join(root, 'packages', 'infra');
const dist = join(infra, 'dist');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const SECONDS_PER_MINUTE = Number(option('--seconds-per-minute', '2'));
const ENV = option('--env', 'example');
const TARGET_RATIO = 1.3;

if (!existsSync(join(dist, 'deploy', 'orchestrator.js'))) {
  console.error(`${dist} is missing; build first: npx nx run infra:build`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { runOrchestrator } = require(join(dist, 'deploy', 'orchestrator.js'));
const { loadManifest, stateReadDependencies } = require(join(dist, 'deploy', 'manifest.js'));
const { resourceGraph, sizeParallelism } = require(join(dist, 'deploy', 'parallelism.js'));
const { createTerraformRunner, findBinary } = require(join(dist, 'deploy', 'terraform.js'));
const { providerLockStore, resolvePluginCache } = require(join(dist, 'deploy', 'providers.js'));
const terraform = findBinary(process.env.TF_BINARY || 'terraform', process.env);
if (!terraform) {
  console.error('no terraform binary on PATH (or TF_BINARY): the benchmark runs the real binary');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------------
// The model: minutes to create one resource of each type. Where a public apply log or report gives a duration, it is
// cited; the rest are stated assumptions (no public measurement found), kept conservative for the long poles.
const MODEL = {
  azurerm_resource_group: [0.1, 'turbot/steampipe-plugin-azure#299 apply log: "Creation complete after 5s"'],
  azurerm_virtual_network: [0.15, 'turbot/steampipe-plugin-azure#824 apply log: "Creation complete after 8s"'],
  azurerm_subnet: [0.1, 'turbot/steampipe-plugin-azure#824 apply log: "Creation complete after 6s"'],
  azurerm_private_dns_zone: [0.6, 'turbot/steampipe-plugin-azure#824 apply log: "Creation complete after 35s"'],
  azurerm_private_dns_zone_virtual_network_link: [0.75, 'assumed 45 s (same log: still creating after the zone; no end shown)'],
  azurerm_container_app_environment: [
    12,
    'hashicorp/terraform-provider-azurerm#20435: "container app env is created after about 12min" (VNet-integrated)',
  ],
  azurerm_postgresql_flexible_server: [10, 'assumed 10 min (provider issue #27948 shows the 60-min timeout as the bad case)'],
  azurerm_container_app: [1.5, 'assumed 90 s per app once the environment exists (revision provisioning)'],
  azurerm_container_app_job: [1, 'assumed 60 s'],
  azurerm_linux_virtual_machine: [2, 'assumed 2 min for a small Ubuntu VM'],
  azurerm_key_vault: [2, 'assumed 2 min'],
  azurerm_storage_account: [0.5, 'assumed 30 s'],
  azurerm_log_analytics_workspace: [0.5, 'assumed 30 s'],
  azurerm_public_ip: [0.1, 'assumed 5 s'],
  azurerm_network_interface: [0.1, 'assumed 5 s'],
  time_sleep: [0.5, 'the stack waits 30 s on purpose (RBAC propagation)'],
};
const DEFAULT_MINUTES = [0.15, 'assumed 10 s (a child or metadata resource)'];
const STEPS = {
  'init-job': [4, 'assumed 1 min for the database-role execution + 3 min: CVAT v2.73.0 migrations on an empty database'],
  superuser: [1, 'assumed 1 min: a second execution of the same job'],
};
const minutesOf = (type) => (MODEL[type] ?? DEFAULT_MINUTES)[0];
const real = (minutes) => Math.max(0.05, minutes * SECONDS_PER_MINUTE);
const fmt = (minutes) => `${minutes.toFixed(1)} min`;

const work = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
const cleanup = () => {
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
};

// ---------------------------------------------------------------------------------------------------------------
// The real synthesized stacks of the environment.
const synthOut = join(work, 'synth', 'cdktf.out');
const synth = spawnSync(process.execPath, [join(dist, 'cli.js'), 'synth', '--env', ENV, '--out', synthOut], { encoding: 'utf8' });
if (synth.status !== 0) {
  console.error(`synth failed:\n${synth.stderr}`);
  cleanup();
  process.exit(1);
}
const realManifest = loadManifest(synthOut);
const realJson = new Map(realManifest.stacks.map((s) => [s.name, JSON.parse(readFileSync(s.synthesizedStackPath, 'utf8'))]));
const realDeps = stateReadDependencies(realManifest, (s) => realJson.get(s.name));

/** Resource-level model of one stack: resource → deps in the stack, and the foundation resources it reads. */
function stackModel(stack) {
  const json = realJson.get(stack.name);
  const graph = resourceGraph(json);
  const remote = new Map(); // data.terraform_remote_state.<x> → stack name
  for (const [name, source] of Object.entries(json.data?.terraform_remote_state ?? {})) {
    const path = resolve(stack.workingDirectory, source.config?.path ?? '');
    const from = realManifest.stacks.find(
      (o) =>
        o !== stack &&
        realJson.get(o.name).terraform?.backend?.local &&
        resolve(o.workingDirectory, realJson.get(o.name).terraform.backend.local.path) === path,
    );
    if (from) remote.set(`data.terraform_remote_state.${name}`, from.name);
  }
  const resources = new Map();
  for (const r of graph.resources) {
    const deps = new Set();
    const reads = new Set(); // `<stack>:<resource>` read through remote state outputs
    const visit = (node, seen) => {
      for (const d of graph.edges.get(node) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        if (graph.resources.includes(d)) deps.add(d);
        else if (remote.has(d)) {
          // the outputs it reads, each pointing at one resource of the other stack
          const body = JSON.stringify(json.resource[r.split('.')[0]][r.split('.').slice(1).join('.')]);
          const other = remote.get(d);
          const outputs = realJson.get(other).output ?? {};
          for (const m of body.matchAll(new RegExp(`${d.replace(/[.]/g, '\\.')}\\.outputs\\.([A-Za-z0-9_-]+)`, 'g'))) {
            const ref = /\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)/.exec(String(outputs[m[1]]?.value ?? ''));
            if (ref) reads.add(`${other}:${ref[1]}`);
          }
        } else visit(d, seen);
      }
    };
    visit(r, new Set());
    resources.set(r, { type: r.split('.')[0], deps: [...deps], reads: [...reads], minutes: minutesOf(r.split('.')[0]) });
  }
  return resources;
}
const models = new Map(realManifest.stacks.map((s) => [s.name, stackModel(s)]));
// The cvat-init job's address, from the synth index the deploy reads too.
const index = JSON.parse(readFileSync(join(synthOut, 'cvat-index.json'), 'utf8'));
const jobAddress = index.components['cvat-init']?.stack === 'apps' ? index.components['cvat-init'].address : undefined;

// The floor: longest chain of dependent resources, across stacks, plus the init job and superuser after the job.
const finish = new Map();
const finishOf = (stack, address) => {
  const key = `${stack}:${address}`;
  if (finish.has(key)) return finish.get(key);
  const r = models.get(stack).get(address);
  const start = Math.max(0, ...r.deps.map((d) => finishOf(stack, d)), ...r.reads.map((k) => finishOf(...k.split(/:(.*)/s).slice(0, 2))));
  finish.set(key, start + r.minutes);
  return start + r.minutes;
};
let floor = 0;
for (const [stack, resources] of models) for (const a of resources.keys()) floor = Math.max(floor, finishOf(stack, a));
const stepsMinutes = STEPS['init-job'][0] + STEPS.superuser[0];
if (jobAddress) floor = Math.max(floor, finishOf('apps', jobAddress) + stepsMinutes);

/** List-scheduling simulation of one stack's apply with a parallelism limit (what terraform does), in minutes. */
function simulate(stack, parallelism) {
  const resources = models.get(stack);
  const done = new Map();
  const running = [];
  let t = 0;
  const waiting = new Set(resources.keys());
  while (waiting.size || running.length) {
    for (const a of [...waiting]) {
      if (running.length >= parallelism) break;
      if (resources.get(a).deps.every((d) => done.has(d))) {
        waiting.delete(a);
        running.push({ a, end: t + resources.get(a).minutes });
      }
    }
    running.sort((x, y) => x.end - y.end);
    const next = running.shift();
    t = next.end;
    done.set(next.a, t);
  }
  return { total: t, done };
}
const order = ['foundation', 'apps', 'edge'].filter((s) => models.has(s));
const sequential = order.reduce((sum, s) => sum + simulate(s, 10).total, 0) + (jobAddress ? stepsMinutes : 0);

// ---------------------------------------------------------------------------------------------------------------
// Stand-in stacks: same addresses (sanitized), same dependencies, the same remote-state wiring, sleeps as modelled.
const id = (address) => address.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^([^A-Za-z_])/, '_$1');
/** Writes the stand-in stacks and their manifest into `benchOut`; provisioners log to `timeline`. */
function writeStandIns(benchOut, timeline) {
  const manifest = { version: 'bench', stacks: {} };
  for (const s of realManifest.stacks) {
    const dir = join(benchOut, 'stacks', s.name);
    mkdirSync(dir, { recursive: true });
    const reads = realDeps[s.name].reads;
    const resources = {};
    for (const [address, r] of models.get(s.name)) {
      const input = reads.length ? reads.map((d) => `\${data.terraform_remote_state.${d}.outputs.done}`).join('+') : 'root';
      resources[id(address)] = {
        input,
        ...(r.deps.length ? { depends_on: r.deps.map((d) => `terraform_data.${id(d)}`) } : {}),
        provisioner: [
          {
            'local-exec': {
              command:
                `echo "${s.name} ${id(address)} start $(date +%s%3N)" >> '${timeline}'; sleep ${real(r.minutes).toFixed(2)}; ` +
                `echo "${s.name} ${id(address)} end $(date +%s%3N)" >> '${timeline}'`,
            },
          },
        ],
      };
    }
    const json = {
      terraform: { backend: { local: { path: `../../../state/${s.name}.tfstate` } } },
      ...(reads.length
        ? {
            data: {
              terraform_remote_state: Object.fromEntries(
                reads.map((d) => [d, { backend: 'local', config: { path: `../../../state/${d}.tfstate` } }]),
              ),
            },
          }
        : {}),
      resource: { terraform_data: resources },
      output: { done: { value: s.name } },
    };
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    // The manifest keeps the real dependencies, ordering-only ones included: the orchestrator works out the rest.
    manifest.stacks[s.name] = {
      name: s.name,
      workingDirectory: `stacks/${s.name}`,
      synthesizedStackPath: `stacks/${s.name}/cdk.tf.json`,
      dependencies: [...s.dependencies],
    };
  }
  writeFileSync(join(benchOut, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return loadManifest(benchOut);
}

const lines = [];
const stepStub = (name, after, minutes, needs) => ({
  name,
  after,
  ...(needs ? { needs } : {}),
  run: async () => {
    await new Promise((r) => setTimeout(r, real(minutes) * 1000));
    return { status: 'ran', reason: 'stand-in' };
  },
});
const runner = createTerraformRunner(terraform, { PATH: process.env.PATH, HOME: work });

/**
 * One fresh deploy of the stand-ins. `now`: this orchestrator as shipped (state-read dependencies, sized parallelism,
 * the init steps as soon as the job exists). `before`: the orchestrator's behaviour before issue 17 — the manifest's
 * order (edge after apps and its steps), terraform's default -parallelism 10, the steps after the whole apps stack.
 */
async function deployOnce(mode) {
  const out = join(work, mode, 'cdktf.out');
  const timeline = join(work, mode, 'timeline.log');
  const benchManifest = writeStandIns(out, timeline);
  const deps = stateReadDependencies(benchManifest);
  const now = mode === 'now';
  const started = Date.now();
  const report = await runOrchestrator({
    command: 'deploy',
    manifest: benchManifest,
    runner,
    confirmation: { mode: 'auto', reason: 'benchmark' },
    log: (l) => lines.push(`${mode} ${l}`),
    ...(now ? { dependencies: Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.reads])) } : {}),
    ...(now ? { parallelism: (s) => sizeParallelism(realJson.get(s.name)).value } : {}),
    steps: jobAddress
      ? [
          stepStub('init-job', 'apps', STEPS['init-job'][0], now ? (a) => a === `terraform_data.${id(jobAddress)}` : undefined),
          stepStub('superuser', 'apps', STEPS.superuser[0]),
        ]
      : [],
    progressIntervalMs: 0,
  });
  const wallSeconds = (Date.now() - started) / 1000;
  if (!report.ok) {
    console.error(lines.slice(-30).join('\n'));
    console.error(`the benchmark deploy (${mode}) failed: ${report.failure?.message}`);
    cleanup();
    process.exit(1);
  }
  return { report, wallSeconds, timeline, deps };
}

const { report, wallSeconds, timeline, deps } = await deployOnce('now');
const before = args.includes('--no-baseline') ? undefined : await deployOnce('before');

// One wave: every apps resource started within a short lag of its last dependency's end (nothing waited for a slot).
const events = new Map();
for (const l of readFileSync(timeline, 'utf8').split('\n').filter(Boolean)) {
  const [stack, rid, what, ms] = l.split(' ');
  events.set(`${stack} ${rid} ${what}`, Number(ms));
}
const lagsMs = [];
for (const [address, r] of models.get('apps') ?? []) {
  if (!r.deps.length) continue;
  const start = events.get(`apps ${id(address)} start`);
  const ready = Math.max(...r.deps.map((d) => events.get(`apps ${id(d)} end`)));
  lagsMs.push(start - ready);
}
const maxLagMs = Math.max(0, ...lagsMs);
const appsDeps = [...(models.get('apps')?.values() ?? [])];
const appsParallelism = report.stacks.find((s) => s.name === 'apps')?.parallelism;
const apps = report.stacks.find((s) => s.name === 'apps');
const edge = report.stacks.find((s) => s.name === 'edge');
const overlapSeconds =
  apps && edge ? Math.max(0, Math.min(apps.finishedAtMs, edge.finishedAtMs) - Math.max(apps.startedAtMs, edge.startedAtMs)) / 1000 : 0;
const measured = wallSeconds / SECONDS_PER_MINUTE;

// ---------------------------------------------------------------------------------------------------------------
// Provider downloads in a fresh run, through the deploy's plugin cache and lock-file code.
const { MIRROR_SKIP_REASON, startProviderMirror } = await import(join(infra, 'test', 'support', 'provider-mirror.mjs'));
let downloads;
if (MIRROR_SKIP_REASON) downloads = { skipped: MIRROR_SKIP_REASON };
else {
  const providers = new Map();
  for (const json of realJson.values()) {
    for (const p of Object.values(json.terraform?.required_providers ?? {})) {
      const [namespace, type] = p.source.includes('/') ? p.source.split('/').slice(-2) : ['hashicorp', p.source];
      providers.set(`${namespace}/${type}`, { namespace, type, version: p.version });
    }
  }
  const mirror = await startProviderMirror(join(work, 'mirror'), [...providers.values()]);
  mkdirSync(join(work, 'providers'), { recursive: true });
  try {
    const initAll = async (label, { shareCache, commitLocks }) => {
      const base = join(work, 'providers', label);
      const cache = shareCache ? resolvePluginCache({ TF_PLUGIN_CACHE_DIR: join(work, 'providers', 'machine-cache') }) : undefined;
      const env = {
        PATH: process.env.PATH,
        HOME: base,
        SSL_CERT_FILE: mirror.certFile,
        TF_CLI_CONFIG_FILE: mirror.cliConfig(join(work, 'providers', 'terraformrc')),
        ...(cache ? { TF_PLUGIN_CACHE_DIR: cache.dir } : {}),
      };
      const init = createTerraformRunner(terraform, env);
      const store = providerLockStore(commitLocks, base);
      const before = mirror.totalDownloads();
      for (const s of realManifest.stacks) {
        const dir = join(base, s.name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          join(dir, 'main.tf.json'),
          JSON.stringify({ terraform: { required_providers: realJson.get(s.name).terraform.required_providers } }),
        );
        const stack = { ...s, workingDirectory: dir };
        if (shareCache) store.before(stack, () => undefined);
        let result = await init.run(['init', '-input=false', '-no-color'], { cwd: dir });
        if (result.exitCode !== 0) {
          // One retry: a failed query leaves nothing installed, so a retry cannot double-count a download.
          console.error(`init of ${s.name} (${label}) failed once, retrying: ${result.stderr.trim().split('\n').slice(0, 4).join(' ')}`);
          result = await init.run(['init', '-input=false', '-no-color'], { cwd: dir });
        }
        if (result.exitCode !== 0) throw new Error(`init of ${s.name} (${label}) failed: ${result.stderr}`);
        if (shareCache) store.after(stack, () => undefined);
      }
      return mirror.totalDownloads() - before;
    };
    const locks = join(work, 'providers', 'terraform-locks');
    downloads = {
      providers: providers.size,
      perStack: await initAll('per-stack', { shareCache: false, commitLocks: join(work, 'providers', 'unused') }),
      fresh: await initAll('fresh', { shareCache: true, commitLocks: locks }),
      warm: await initAll('warm', { shareCache: true, commitLocks: locks }),
    };
  } finally {
    await mirror.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
const pad = (s, n = 44) => s.padEnd(n);
console.log(`deploy benchmark: environment ${ENV}, ${SECONDS_PER_MINUTE} s of run time per modelled minute, ${terraform}`);
console.log('');
console.log('model (minutes per resource type; sources):');
const used = new Set([...models.values()].flatMap((m) => [...m.values()].map((r) => r.type)));
for (const type of [...used].sort()) {
  const [m, source] = MODEL[type] ?? DEFAULT_MINUTES;
  console.log(`  ${pad(type, 48)} ${String(m).padStart(5)}  ${source}`);
}
for (const [name, [m, source]] of Object.entries(STEPS)) console.log(`  ${pad(`${name} (step)`, 48)} ${String(m).padStart(5)}  ${source}`);
console.log('');
console.log('stacks:');
for (const s of report.stacks) {
  const p = sizeParallelism(realJson.get(s.name));
  console.log(
    `  ${s.name.padEnd(11)} ${String(p.resources).padStart(3)} resources, parallelism ${String(s.parallelism).padStart(3)} ` +
      `(${p.independent} independent), waits for ${report.dependencies[s.name].join(', ') || 'nothing'}` +
      `${deps[s.name].orderingOnly.length ? ` (manifest also lists ${deps[s.name].orderingOnly.join(', ')}: ordering only)` : ''}, ` +
      `ran ${(s.startedAtMs / 1000).toFixed(1)}–${(s.finishedAtMs / 1000).toFixed(1)} s`,
  );
}
for (const st of report.steps)
  console.log(`  ${st.name.padEnd(11)} step, ran ${(st.startedAtMs / 1000).toFixed(1)}–${(st.finishedAtMs / 1000).toFixed(1)} s`);
console.log('');
console.log('modelled fresh deploy:');
console.log(`  ${pad('floor (longest chain of dependent resources)')} ${fmt(floor)}`);
console.log(
  `  ${pad('sum of sequential steps (one stack at a time, -parallelism 10; model)')} ${fmt(sequential)}  (${(sequential / floor).toFixed(2)}× floor)`,
);
if (before) {
  const m = before.wallSeconds / SECONDS_PER_MINUTE;
  console.log(
    `  ${pad('measured, the orchestrator as before (same stand-ins)')} ${fmt(m)}  (${(m / floor).toFixed(2)}× floor; ${before.wallSeconds.toFixed(1)} s real)`,
  );
}
console.log(
  `  ${pad('measured critical path (this run, terraform overhead included)')} ${fmt(measured)}  (${(measured / floor).toFixed(2)}× floor, ` +
    `target ≤ ${TARGET_RATIO}×: ${measured / floor <= TARGET_RATIO ? 'met' : 'NOT met'}; ${wallSeconds.toFixed(1)} s real)`,
);
console.log(
  `  ${pad('apps created in one wave')} ${maxLagMs <= 1500 ? 'yes' : 'no'}: every one of ${appsDeps.length} resources started ` +
    `≤ ${(maxLagMs / 1000).toFixed(2)} s after its dependencies (parallelism ${appsParallelism})`,
);
console.log(
  `  ${pad('edge overlapping the apps')} ${overlapSeconds > 0 ? 'yes' : 'no'}: ${overlapSeconds.toFixed(1)} s of ` +
    `${((apps?.finishedAtMs - apps?.startedAtMs) / 1000).toFixed(1)} s`,
);
console.log('');
if (downloads.skipped) console.log(`provider downloads: skipped (${downloads.skipped})`);
else {
  console.log(
    `provider downloads for the ${realManifest.stacks.length} stacks (${downloads.providers} providers, loopback stand-in mirror):`,
  );
  console.log(
    `  ${pad('fresh machine, shared cache + lock files')} ${downloads.fresh}  (one per provider: ${downloads.fresh === downloads.providers ? 'yes' : 'no'})`,
  );
  console.log(`  ${pad('same machine again (warm cache)')} ${downloads.warm}`);
  console.log(`  ${pad('before: each stack installs its own')} ${downloads.perStack}`);
}
cleanup();
