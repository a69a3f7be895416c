/**
 * Every relative link in README.md, docs/*.md and packages/*\/README.md leads somewhere: the file exists, and a
 * `#fragment` names a heading of the target Markdown file (GitHub's anchor for it). A reader following
 * docs/getting-started.md never lands on a missing page. External links (https:, mailto:) are not fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const packages = readdirSync(join(root, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(root, f)));
  return ['README.md', ...docs, ...packages].sort();
}

/** Text outside fenced code blocks and inline code spans, line by line (links inside code are examples). */
function prose(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && !fence) {
      fence = marker;
      return '';
    }
    if (fence) {
      if (line.trim().startsWith(fence)) fence = undefined;
      return '';
    }
    return line.replace(/`[^`]*`/g, '');
  });
}

/**
 * GitHub's anchor of a heading: lower case, markup removed, every character that is not a letter, digit, space,
 * `-` or `_` dropped, spaces as `-`; a repeated anchor gets `-1`, `-2`, … (github/cmark-gfm's anchor rules, as
 * rendered on github.com).
 */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker) {
      if (!fence) fence = marker;
      else if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`([^`]*)`/g, '$1')
      .replace(/\*\*([^*]+)\*\*|\*([^*]+)\*/g, '$1$2')
      .replace(/<[^>]+>/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

/** Broken relative links of one file (path relative to the repository root) with its text. */
function linkProblems(file: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  prose(markdown).forEach((line, i) => {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      const [path, fragment] = target.split('#', 2) as [string, string | undefined];
      const resolved = path === '' ? file : relative(root, resolve(root, dirname(file), decodeURIComponent(path)));
      const where = `${file}:${i + 1}: '${target}'`;
      const text = read(resolved);
      if (text === undefined) {
        problems.push(`${where}: ${resolved} does not exist`);
        continue;
      }
      if (fragment && resolved.endsWith('.md') && !anchors(text).has(fragment.toLowerCase())) {
        problems.push(`${where}: ${resolved} has no heading with the anchor '#${fragment}'`);
      }
    }
  });
  return problems;
}

/** Reads a file of the repository: its text, '' for a folder, undefined when missing. */
function readRepo(path: string): string | undefined {
  const full = join(root, path);
  if (!existsSync(full)) return undefined;
  return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
}

describe('relative links in the documentation', () => {
  it('every relative link leads to an existing file and, with a #fragment, to a heading in it', () => {
    const files = markdownFiles();
    expect(files).toContain('docs/getting-started.md');
    // The check has something to check: the documents link to each other a lot, fragments included.
    const links = files.flatMap((f) => prose(readRepo(f) ?? '').flatMap((l) => [...l.matchAll(/\]\((?![a-z][a-z0-9+.-]*:)([^)]*)\)/gi)]));
    expect(links.length).toBeGreaterThan(40);
    expect(links.filter((m) => m[1].includes('#')).length).toBeGreaterThan(5);
    const problems = files.flatMap((f) => linkProblems(f, readRepo(f) ?? '', readRepo));
    expect(problems).toEqual([]);
  });

  it('reports a missing file, a missing heading, and follows GitHub anchors (markup, punctuation, repeats)', () => {
    const pages: Record<string, string> = {
      'docs/a.md': '# Title\n## 1. Your machine\n## `cvat-ops` & the rest\n## Notes\n## Notes\n```\n# not a heading\n```\n',
    };
    const read = (p: string) => pages[p];
    const md = [
      '[ok](a.md#1-your-machine) [ok](a.md#cvat-ops--the-rest) [ok](a.md#notes-1) [ok](#title)',
      '[gone](b.md) [no anchor](a.md#not-a-heading) [web](https://example.com/x) `[code](nowhere.md)`',
    ].join('\n');
    expect(linkProblems('docs/a.md', `# Title\n${md}`, read)).toEqual([
      "docs/a.md:3: 'b.md': docs/b.md does not exist",
      "docs/a.md:3: 'a.md#not-a-heading': docs/a.md has no heading with the anchor '#not-a-heading'",
    ]);
  });
});
