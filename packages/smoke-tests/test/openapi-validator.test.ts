import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH, OpenApiValidator } from './support/openapi-validator';

const validator = OpenApiValidator.shared();
const none = { kind: 'none' } as const;
const json = (value: unknown) => ({ kind: 'json', contentType: 'application/json', value }) as const;

function request(
  method: string,
  path: string,
  query = '',
  body: Parameters<OpenApiValidator['validateRequest']>[1]['body'] = none,
  headers = {},
) {
  const op = validator.match(method, path);
  if (!op) throw new Error(`no operation for ${method} ${path}`);
  return validator.validateRequest(op, { query: new URLSearchParams(query), headers, body });
}

describe('the vendored CVAT schema', () => {
  it('is the unchanged upstream cvat/schema.yml of v2.73.0 (OpenAPI 3.0.3)', () => {
    const text = readFileSync(OPENAPI_PATH);
    // SHA-256 of `git show ac6e63b96bddbc462a0a8c0acce307c4c0c6e972:cvat/schema.yml` (cvat-ai/cvat@v2.73.0).
    expect(createHash('sha256').update(text).digest('hex')).toBe('f59629dc8133c9bb166d1ffaa6d7f647ec6ce2708c94081dab175d9c318ff26b');
    expect(validator.spec.openapi).toBe('3.0.3');
    expect(validator.spec.info.version).toBe('2.73.0');
  });
});

describe('OpenApiValidator', () => {
  it('matches paths with templates and with static segments first', () => {
    expect(validator.match('POST', '/api/tasks/backup/')?.operation.operationId).toBe('tasks_create_backup');
    expect(validator.match('GET', '/api/tasks/12')).toMatchObject({ template: '/api/tasks/{id}', pathParams: { id: '12' } });
    expect(validator.match('GET', '/api/requests/action%3Dexport%26id%3D1')?.pathParams.id).toBe('action=export&id=1');
    expect(validator.match('GET', '/api/server/health/')).toBeUndefined();
  });

  it('accepts a request that follows the schema', () => {
    expect(request('POST', '/api/tasks', '', json({ name: 'smoke-x', labels: [{ name: 'car', type: 'any' }] }))).toEqual([]);
    expect(request('GET', '/api/jobs/3/data', 'type=chunk&index=0&quality=original')).toEqual([]);
  });

  it('reports a missing required body field, a wrong type and a value out of range', () => {
    expect(request('POST', '/api/tasks', '', json({ labels: [] }))).toEqual([
      "POST /api/tasks (tasks_create): request body must have required property 'name'",
    ]);
    expect(request('POST', '/api/jobs', '', json({ type: 'ground_truth', task_id: 'seven' }))).toEqual([
      'POST /api/jobs (jobs_create): request body/task_id must be integer',
    ]);
    expect(
      request('POST', '/api/tasks/1/data/', '', {
        kind: 'multipart',
        contentType: 'multipart/form-data',
        value: { image_quality: '0', client_files: ['a.png'] },
      }),
    ).toEqual(['POST /api/tasks/{id}/data/ (tasks_create_data): request body/image_quality must be >= 1']);
  });

  it('reports unknown and missing query parameters and wrong enum values', () => {
    expect(request('POST', '/api/tasks/1/dataset/export', 'format=COCO%201.0&saveimages=false')).toEqual([
      "POST /api/tasks/{id}/dataset/export (tasks_create_dataset_export): unknown query parameter 'saveimages' (the operation has: " +
        'cloud_storage_id, filename, format, location, save_images)',
    ]);
    expect(request('POST', '/api/tasks/1/dataset/export')).toEqual([
      "POST /api/tasks/{id}/dataset/export (tasks_create_dataset_export): required query parameter 'format' is missing",
    ]);
    expect(request('GET', '/api/jobs/1/data', 'type=chunks')[0]).toMatch(
      /query parameter 'type' must be equal to one of the allowed values \(\["chunk","context_image","frame"\]\)/,
    );
  });

  it('reports a body sent with a content type the operation does not accept', () => {
    expect(request('POST', '/api/webhooks', '', { kind: 'multipart', contentType: 'multipart/form-data', value: {} })).toEqual([
      "POST /api/webhooks (webhooks_create): request content type 'multipart/form-data' is not accepted (accepted: application/json)",
    ]);
  });

  it('checks responses: documented status, content type and body shape; undocumented errors pass', () => {
    const about = validator.match('GET', '/api/server/about')!;
    const good = { name: 'CVAT', description: 'd', version: '2.73.0', logo_url: 'x', subtitle: 's' };
    expect(validator.validateResponse(about, 200, 'application/vnd.cvat+json', good)).toEqual([]);
    expect(validator.validateResponse(about, 200, 'application/vnd.cvat+json', { name: 'CVAT' })).toHaveLength(4);
    expect(validator.validateResponse(about, 200, 'text/html', good)).toEqual([
      "GET /api/server/about (server_retrieve_about) → 200: content type 'text/html' is not documented (documented: application/vnd.cvat+json)",
    ]);
    expect(validator.validateResponse(about, 201, 'application/vnd.cvat+json', good)).toEqual([
      'GET /api/server/about (server_retrieve_about) → 201: status 201 is not documented (documented: 200)',
    ]);
    expect(validator.validateResponse(about, 503, 'text/plain', 'busy')).toEqual([]);
  });

  it('treats OpenAPI nullable fields as accepting null', () => {
    const rq = validator.match('GET', '/api/requests/x')!;
    const body = {
      id: 'x',
      status: 'queued',
      created_date: '2026-01-01T00:00:00Z',
      operation: { type: 't', target: 'task', task_id: null },
      result_url: null,
      finished_date: null,
    };
    expect(validator.validateResponse(rq, 200, 'application/vnd.cvat+json', body)).toEqual([]);
    expect(validator.validateResponse(rq, 200, 'application/vnd.cvat+json', { ...body, status: null })[0]).toMatch(
      /response body\/status must be string/,
    );
  });
});
