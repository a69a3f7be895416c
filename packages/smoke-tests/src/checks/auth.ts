/**
 * Item 3 of issue 6: the superuser can log in, and OPA really decides: two throwaway users are registered,
 * user B is refused user A's task and does not see it in lists, anonymous requests are refused, and the
 * superuser sees everything. Every other check that uses authenticated endpoints depends on `opa.authz`,
 * because without OPA decisions every such request fails and the failure belongs to OPA.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0 unless noted):
 * - `POST /api/auth/login` is cvat/apps/iam/views.py `LoginViewEx` (dj-rest-auth 7.2.0 `LoginView`): bad
 *   credentials raise the serializer's ValidationError → 400; success answers 200 `{key}` and calls
 *   `self.login()`, which with dj-rest-auth's default REST_SESSION_LOGIN starts a Django session (`sessionid`
 *   and `csrftoken` cookies). That session is what django-rq's staff pages accept (checks/workers.ts).
 * - `POST /api/auth/register` is `RegisterViewEx` with cvat/apps/iam/serializers.py `RegisterSerializerEx`:
 *   username of at least 5 characters (ACCOUNT_USERNAME_MIN_LENGTH, cvat/settings/base.py), password1/2
 *   with the length limits of cvat/apps/iam/password_validation.py plus Django's validators; 201 with `key`
 *   (a token) because ACCOUNT_EMAIL_VERIFICATION = "none". dj-rest-auth views are unthrottled
 *   (`"dj_rest_auth": None`), but still count against the anonymous throttle of 100/minute per client IP
 *   (DEFAULT_THROTTLE_RATES; the client IP comes from X-Forwarded-For as `throttled` below explains).
 * - Authenticated endpoints ask OPA (cvat/apps/iam/permissions.py `OpenPolicyAgentPermission.check_access`:
 *   `response.json()["result"]`); superusers get no bypass. An OPA without CVAT's bundle answers without a
 *   `result`, the KeyError becomes HTTP 500. Retrieving another user's task is an object permission check →
 *   403; lists are filtered (`TaskViewSet.get_queryset`, `perm.filter` for "list"); no credentials → 401
 *   (`TokenAuthentication` is the first authenticator and sends `WWW-Authenticate`).
 */
import { randomBytes } from 'node:crypto';
import { SmokeError } from '../errors';
import { expectShape, match } from '../expect';
import { excerpt, headerValue, responseCookies, type Credentials, type HttpResponse } from '../http/client';
import type { UserFixture } from '../runner/state';
import type { CheckContext, CheckDefinition } from '../runner/types';
import { createTask } from './helpers';
import { refusedHost } from './server';

export const authLogin: CheckDefinition = {
  id: 'auth.login',
  title: 'the superuser logs in',
  proves: 'The superuser credentials work (POST /api/auth/login returns a token and a Django session for /django-rq).',
  components: ['server'],
  dependsOn: [],
  timeoutMs: 20_000,
  async run(ctx) {
    if (ctx.admin.kind !== 'basic') throw new SmokeError('config', 'the superuser credentials must be a username and password');
    ctx.step(`POST /api/auth/login as ${ctx.admin.username}`);
    const res = await ctx.client.request<{ key: string }>('POST', '/api/auth/login', {
      json: { username: ctx.admin.username, password: ctx.admin.password },
      signal: ctx.signal,
    });
    refusedHost(ctx, res);
    if (res.status === 429) throw throttled(ctx, res);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new SmokeError(
        'assertion',
        `the superuser '${ctx.admin.username}' could not log in (${res.status}: ${excerpt(res.body)}); check CVAT_USERNAME / CVAT_PASSWORD`,
        { status: res.status },
      );
    }
    if (res.status !== 200)
      throw new SmokeError('http', `${res.what} answered ${res.status}, expected 200: ${excerpt(res.body)}`, { status: res.status });
    expectShape(res.what, res.body, { key: match.string(/./) });
    const cookies = responseCookies(res.headers);
    if (cookies.sessionid) {
      ctx.state.values.adminSession = { kind: 'session', sessionId: cookies.sessionid, csrfToken: cookies.csrftoken };
    } else {
      ctx.note('login set no sessionid cookie; the /django-rq/ worker checks will fail for want of a Django session');
    }
  },
};

/**
 * The anonymous throttle answered: DRF `AnonRateThrottle` at 100/minute per client IP (cvat/settings/base.py@v2.73.0
 * DEFAULT_THROTTLE_RATES "anon"). DRF takes the client IP NUM_PROXIES entries from the right of X-Forwarded-For, and
 * the server image sets NUM_PROXIES to CVAT_NUM_PROXIES plus one for its own nginx (cvat-ai/cvat@v2.73.0
 * backend_entrypoint.sh `account_for_internal_proxy`). The catalogue sets CVAT_NUM_PROXIES to 1 with the edge VM
 * (`edge.mode: vm`: Traefik appends the client address; the server's TCP ingress adds no header) and to 0 with
 * `edge.mode: none` (the catalogue's `cvatNumProxies`). A value below the proxies really in front of the server makes
 * every visitor count as the same proxy address, sharing one budget.
 */
function throttled(ctx: CheckContext, res: HttpResponse): SmokeError {
  const wait = headerValue(res.headers, 'retry-after');
  return new SmokeError(
    'http',
    `${res.what} answered 429${wait ? ` (Retry-After: ${wait} s)` : ''}: ` +
      `the server's anonymous throttle (100 requests/minute per client IP) refused it: ${excerpt(res.body)}; ` +
      `if this is not real load, ${ctx.components.get('server').name}'s CVAT_NUM_PROXIES does not match the proxies in front of it, ` +
      'so all clients share one address',
    { status: 429 },
  );
}

async function register(ctx: CheckContext, letter: 'a' | 'b'): Promise<UserFixture> {
  const username = ctx.name(`user-${letter}`);
  const password = `${randomBytes(12).toString('base64url')}Aa1!`;
  ctx.step(`registering user ${username}`);
  const res = await ctx.client.request<{ username: string; key?: string | null }>('POST', '/api/auth/register', {
    json: {
      username,
      email: `${username}@example.com`,
      password1: password,
      password2: password,
      first_name: 'Smoke',
      last_name: letter.toUpperCase(),
    },
    signal: ctx.signal,
  });
  if (res.status === 429) throw throttled(ctx, res);
  if (res.status !== 201) {
    throw new SmokeError(
      'http',
      `registering throwaway user ${username} answered ${res.status}, expected 201: ${excerpt(res.body)} (self-registration must be enabled for this check)`,
      { status: res.status },
    );
  }
  let key = res.body.key ?? undefined;
  if (!key) {
    const login = await ctx.client.request<{ key: string }>('POST', '/api/auth/login', {
      json: { username, password },
      signal: ctx.signal,
      expect: 200,
    });
    key = login.body.key;
  }
  const credentials: Credentials = { kind: 'token', key };
  const self = await ctx.client.request<{ id: number; username: string }>('GET', '/api/users/self', {
    auth: credentials,
    signal: ctx.signal,
    expect: 200,
  });
  expectShape(self.what, self.body, { id: match.integer(1), username });
  ctx.cleanup.add({ kind: 'user', id: self.body.id, name: username });
  return { id: self.body.id, username, credentials };
}

function denied(what: string, status: number, expected: number): SmokeError {
  if (status === 500) {
    return new SmokeError(
      'assertion',
      `${what} answered 500, expected ${expected}: the server got no authorization decision from OPA ` +
        "(an OPA without CVAT's policy bundle answers without a result; see opa.health)",
      { status },
    );
  }
  return new SmokeError(
    'assertion',
    `${what} answered ${status}, expected ${expected}: OPA ${status < 300 ? 'allowed what its policy forbids' : 'did not allow what its policy permits'}`,
    { status },
  );
}

export const opaAuthz: CheckDefinition = {
  id: 'opa.authz',
  title: "OPA refuses user B access to user A's task",
  proves:
    'OPA answers authorization decisions with the CVAT policy: owners and the superuser get access, other users get 403 and filtered lists, ' +
    'anonymous users get 401.',
  components: ['opa'],
  dependsOn: ['auth.login'],
  timeoutMs: 45_000,
  async run(ctx) {
    ctx.step('GET /api/users/self as the superuser');
    const self = await ctx.client.request<{ is_superuser?: boolean }>('GET', '/api/users/self', { auth: ctx.admin, signal: ctx.signal });
    if (self.status !== 200) throw denied(`${self.what} as the superuser`, self.status, 200);
    if (self.body.is_superuser !== true)
      throw new SmokeError(
        'assertion',
        `'${ctx.admin.kind === 'basic' ? ctx.admin.username : 'the admin'}' is not a superuser (is_superuser=${String(self.body.is_superuser)})`,
      );

    const [a, b] = await Promise.all([register(ctx, 'a'), register(ctx, 'b')]);
    ctx.state.values.userA = a;
    ctx.state.values.userB = b;
    const task = await createTask(ctx, 'authz', { auth: a.credentials });

    ctx.step(`GET /api/tasks/${task.id} as user B`);
    const asB = await ctx.client.request('GET', `/api/tasks/${task.id}`, { auth: b.credentials, signal: ctx.signal, read: 'discard' });
    if (asB.status !== 403) throw denied(`${asB.what} as user B`, asB.status, 403);

    ctx.step('GET /api/tasks as user B');
    const list = await ctx.client.request<{ results: { id: number }[] }>('GET', '/api/tasks', {
      auth: b.credentials,
      query: { search: ctx.runId, page_size: 100 },
      signal: ctx.signal,
      expect: 200,
    });
    if (list.body.results.some((t) => t.id === task.id)) {
      throw new SmokeError('assertion', `${list.what} as user B lists user A's task ${task.id}: OPA's list filter is not applied`);
    }

    ctx.step('GET /api/tasks without credentials');
    const anonymous = await ctx.client.request('GET', '/api/tasks', { signal: ctx.signal, read: 'discard' });
    if (anonymous.status !== 401) throw denied(`${anonymous.what} without credentials`, anonymous.status, 401);

    ctx.step(`GET /api/tasks/${task.id} as user A and as the superuser`);
    for (const [who, auth] of [
      ['user A', a.credentials],
      ['the superuser', ctx.admin],
    ] as const) {
      const res = await ctx.client.request('GET', `/api/tasks/${task.id}`, { auth, signal: ctx.signal, read: 'discard' });
      if (res.status !== 200) throw denied(`${res.what} as ${who}`, res.status, 200);
    }
  },
};
