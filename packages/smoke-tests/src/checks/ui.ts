/**
 * Item 2 of issue 6: the single-page app is served through the edge.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0): cvat-ui/src/index.html has `<div id="root">`; webpack injects the
 * bundle as `<script defer src="/assets/cvat-ui.<hash>.min.js">` (cvat-ui/webpack.config.js, publicPath "/");
 * the UI image's nginx (cvat-ui/react_nginx.conf) serves /assets with its mime types and every other path
 * as index.html.
 */
import { SmokeError } from '../errors';
import { excerpt, headerValue } from '../http/client';
import type { CheckDefinition } from '../runner/types';

export const uiIndex: CheckDefinition = {
  id: 'ui.index',
  title: 'the UI index and its script are served through the edge',
  proves: 'The edge routes / to the UI app, which serves the CVAT SPA (HTML with the #root element) and its JavaScript bundle.',
  components: ['ui'],
  dependsOn: [],
  timeoutMs: 20_000,
  async run(ctx) {
    ctx.step('GET /');
    const res = await ctx.client.request<string>('GET', '/', { headers: { accept: 'text/html' }, signal: ctx.signal, expect: 200 });
    const type = headerValue(res.headers, 'content-type') ?? '';
    if (!/^text\/html/i.test(type))
      throw new SmokeError(
        'assertion',
        `${res.what} answered content-type "${type}", expected text/html (is / routed to the API instead of the UI?)`,
      );
    const html = typeof res.body === 'string' ? res.body : '';
    if (!/id=["']root["']/.test(html))
      throw new SmokeError('assertion', `${res.what} is HTML but not the CVAT UI (no #root element): ${excerpt(html)}`);
    const scripts = [...html.matchAll(/<script[^>]*\ssrc=["']([^"']+)["']/gi)].map((m) => m[1]);
    const local = scripts
      .map((src) => ctx.client.url(src.startsWith('/') || /^https?:/.test(src) ? src : `/${src}`))
      .filter((u) => u.origin === ctx.client.baseUrl.origin);
    if (local.length === 0)
      throw new SmokeError('assertion', `${res.what} references no script on ${ctx.client.baseUrl.origin}; the UI build is incomplete`);
    ctx.step(`GET ${local[0].pathname}`);
    const script = await ctx.client.request('GET', local[0].href, { signal: ctx.signal, expect: 200, read: 'buffer' });
    const scriptType = headerValue(script.headers, 'content-type') ?? '';
    if (!/javascript/i.test(scriptType))
      throw new SmokeError(
        'assertion',
        `${script.what} answered content-type "${scriptType}", expected JavaScript (the edge may route static files to the wrong app)`,
      );
    if (ctx.client.baseUrl.protocol === 'https:' && headerValue(res.headers, 'strict-transport-security') === undefined) {
      ctx.note('the edge sends no Strict-Transport-Security header');
    }
  },
};
