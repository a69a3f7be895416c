/**
 * Item 6 of issue 6: annotations are written and read back exactly.
 *
 * Upstream facts (cvat-ai/cvat@v2.73.0 cvat/apps/engine/views.py `JobViewSet.annotations`,
 * `url_path=r"annotations/?$"`): `PUT` without `format`/`rq_id` validates a `LabeledDataSerializer` and
 * replaces the job's annotations (200 with the stored data); `GET` without export parameters answers 200
 * `{version, tags, shapes, tracks}` (export parameters would give 410).
 */
import { SmokeError } from '../errors';
import type { CheckDefinition } from '../runner/types';

interface ShapeIn {
  type: string;
  frame: number;
  label_id: number;
  points: number[];
  occluded: boolean;
  outside: boolean;
  z_order: number;
  rotation: number;
  group: number;
  source: string;
  attributes: unknown[];
}

/** The annotations the suite writes to the main task's first job (frames 0–2 of 3). */
export function smokeAnnotations(labelId: number): { version: number; tags: object[]; shapes: ShapeIn[]; tracks: object[] } {
  const common = {
    label_id: labelId,
    occluded: false,
    outside: false,
    z_order: 0,
    rotation: 0,
    group: 0,
    source: 'manual',
    attributes: [],
  };
  return {
    version: 0,
    tags: [{ frame: 2, label_id: labelId, group: 0, source: 'manual', attributes: [] }],
    shapes: [
      { ...common, type: 'rectangle', frame: 0, points: [4, 4, 20.5, 16.25] },
      { ...common, type: 'polygon', frame: 1, points: [10, 10, 30, 10, 20, 25] },
    ],
    tracks: [],
  };
}

function normalizeShape(s: Record<string, unknown>): string {
  const points = Array.isArray(s.points) ? s.points.map((p) => Math.round(Number(p) * 100) / 100) : s.points;
  return JSON.stringify([s.type, s.frame, s.label_id, points, Boolean(s.occluded), Boolean(s.outside), s.z_order ?? 0, s.rotation ?? 0]);
}

function normalizeTag(t: Record<string, unknown>): string {
  return JSON.stringify([t.frame, t.label_id]);
}

/** Differences between two multisets of normalized annotations. */
function diff(kind: string, written: string[], read: string[]): string[] {
  const left = [...read];
  const missing: string[] = [];
  for (const w of written) {
    const i = left.indexOf(w);
    if (i >= 0) left.splice(i, 1);
    else missing.push(w);
  }
  return [
    ...missing.map((m) => `${kind} written but not read back: ${m}`),
    ...left.map((x) => `${kind} read back but never written: ${x}`),
  ];
}

export const annotationsRoundtrip: CheckDefinition = {
  id: 'annotations.roundtrip',
  title: 'annotations are written and read back exactly',
  proves:
    'PUT /api/jobs/{id}/annotations/ stores shapes and tags in PostgreSQL, and GET returns the same ones (type, frame, label, points, flags).',
  components: ['server'],
  dependsOn: ['import.task-data'],
  timeoutMs: 45_000,
  async run(ctx) {
    const main = ctx.state.need('mainTask');
    const job = main.jobIds[0];
    const written = smokeAnnotations(main.labelId);
    ctx.step(`PUT /api/jobs/${job}/annotations/`);
    await ctx.client.request('PUT', `/api/jobs/${job}/annotations/`, {
      auth: ctx.admin,
      json: written,
      signal: ctx.signal,
      expect: 200,
      read: 'discard',
    });
    ctx.step(`GET /api/jobs/${job}/annotations/`);
    const read = await ctx.client.request<{ shapes?: Record<string, unknown>[]; tags?: Record<string, unknown>[]; tracks?: unknown[] }>(
      'GET',
      `/api/jobs/${job}/annotations/`,
      {
        auth: ctx.admin,
        signal: ctx.signal,
        expect: 200,
      },
    );
    const problems = [
      ...diff(
        'shape',
        written.shapes.map((s) => normalizeShape(s as unknown as Record<string, unknown>)),
        (read.body.shapes ?? []).map(normalizeShape),
      ),
      ...diff(
        'tag',
        written.tags.map((t) => normalizeTag(t as Record<string, unknown>)),
        (read.body.tags ?? []).map(normalizeTag),
      ),
      ...((read.body.tracks ?? []).length > 0 ? [`${(read.body.tracks ?? []).length} track(s) read back but none written`] : []),
    ];
    if (problems.length > 0) {
      throw new SmokeError(
        'assertion',
        `the annotations read back differ from those written: ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`,
        { details: problems },
      );
    }
    ctx.state.values.annotatedShapes = written.shapes.length;
  },
};
