/**
 * Item 8 of issue 6: a real project event produces a webhook delivery record. The ping endpoint is not used:
 * the server sends pings itself, so a ping proves nothing about the webhooks worker.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0): creating a task fires `create:task` for the project's webhooks
 * (cvat/apps/webhooks/signals.py → dispatch.py `add_to_queue` on the `webhooks` queue); the worker's
 * services.py `send_webhook` always writes a `WebhookDelivery` row with `event` and the target's status (a
 * connection error is recorded as 502, a timeout as 504, utils.py `perform_webhook_request`), and only then
 * raises for 5xx/408/429 to retry. `POST /api/webhooks/{id}/ping` calls services.py `ping` in the server
 * process. The default target, `<url>/api/server/about`, answers a POST with 405.
 */
import { expectShape, match } from '../expect';
import { poll, probe } from '../poll';
import { SmokeError } from '../errors';
import type { CheckDefinition } from '../runner/types';
import { LABEL_NAME, createTask, pollBudgetMs } from './helpers';

interface Delivery {
  id?: number;
  event?: string;
  status_code?: number | null;
}

export const webhooksDelivery: CheckDefinition = {
  id: 'webhooks.delivery',
  title: 'a project webhook records a delivery for a create:task event',
  proves:
    'The webhooks worker takes event deliveries from the webhooks queue: creating a task in a project with a webhook produces a delivery row ' +
    '(whatever the target answered).',
  components: ['workerWebhooks'],
  dependsOn: ['opa.authz'],
  timeoutMs: 120_000,
  async run(ctx) {
    const projectName = ctx.name('webhooks');
    ctx.step(`creating project ${projectName}`);
    const project = await ctx.client.request<{ id: number }>('POST', '/api/projects', {
      auth: ctx.admin,
      json: { name: projectName, labels: [{ name: LABEL_NAME, type: 'any' }] },
      signal: ctx.signal,
      expect: 201,
    });
    expectShape(project.what, project.body, { id: match.integer(1) });
    ctx.cleanup.add({ kind: 'project', id: project.body.id, name: projectName });

    const description = ctx.name('webhook');
    ctx.step('creating the project webhook');
    const hook = await ctx.client.request<{ id: number }>('POST', '/api/webhooks', {
      auth: ctx.admin,
      json: {
        target_url: ctx.settings.webhookTargetUrl,
        description,
        type: 'project',
        project_id: project.body.id,
        events: ['create:task'],
        content_type: 'application/json',
        is_active: true,
        enable_ssl: true,
      },
      signal: ctx.signal,
      expect: 201,
    });
    expectShape(hook.what, hook.body, { id: match.integer(1) });
    ctx.cleanup.add({ kind: 'webhook', id: hook.body.id, name: description });

    await createTask(ctx, 'webhook-event', { projectId: project.body.id });

    const worker = ctx.components.get('workerWebhooks').name;
    ctx.step(`waiting for a delivery on webhook ${hook.body.id}`);
    const delivery = await poll(
      `the create:task delivery of webhook ${hook.body.id}`,
      async () => {
        const res = await ctx.client.request<{ results?: Delivery[] }>('GET', `/api/webhooks/${hook.body.id}/deliveries`, {
          auth: ctx.admin,
          signal: ctx.signal,
          expect: 200,
        });
        const found = (res.body.results ?? []).find((d) => d.event === 'create:task');
        return found ? probe.done(found) : probe.pending(`${(res.body.results ?? []).length} deliveries, none for create:task`);
      },
      {
        ...ctx.settings.poll,
        totalTimeoutMs: pollBudgetMs(ctx),
        signal: ctx.signal,
        hint: `no ${worker} delivered the event from the 'webhooks' queue`,
      },
    ).catch((error: unknown) => {
      throw error instanceof SmokeError ? error : new SmokeError('http', String(error));
    });
    ctx.note(`delivery ${delivery.id ?? '?'}: target answered ${delivery.status_code ?? 'nothing'}`);
  },
};
