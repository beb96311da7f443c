/**
 * The README and docs/: every relative link resolves (the file, and the heading when it names one), and
 * the README stays a newcomer's page (at most 250 lines; the rest lives in docs/). docs/api.md, the
 * prose around specs/api.yaml, names the same routes as the spec.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadApiSpec, operationsOf } from './support/api-spec.ts';
import { linksOf } from './support/markdown.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats numbered. */
const anchorsOf = (markdown: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
};

describe('the README and docs/', () => {
  it('every relative link names a file that exists, and a heading that exists in it', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const target of linksOf(readFileSync(join(root, page), 'utf8'))) {
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? join(root, page) : join(root, dirname(page), decodeURI(path));
        if (!existsSync(file)) {
          broken.push(`${page}: (${target}) — no file ${relative(root, file)}`);
        } else if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${page}: (${target}) — no heading #${anchor} in ${relative(root, file)}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('the checker sees a broken link and a missing heading', () => {
    expect(linksOf('see [a](docs/x.md#y), `[b](c.md)` and [c](https://example.com)')).toEqual(['docs/x.md#y']);
    expect(anchorsOf('# A b\n## Sending: pacing, backpressure\n```\n# not\n```\n## A b\n')).toEqual(
      new Set(['a-b', 'sending-pacing-backpressure', 'a-b-1']),
    );
  });

  it('the README stays at most 250 lines, and links each page of docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0), 'README.md lines').toBeLessThanOrEqual(250);
    const linked = new Set(linksOf(readme).map((target) => target.split('#')[0]));
    expect(
      pages.filter((page) => page !== 'README.md' && !linked.has(page)),
      'docs/ pages the README does not link',
    ).toEqual([]);
  });
});

describe('docs/api.md and specs/api.yaml', () => {
  const page = readFileSync(join(root, 'docs/api.md'), 'utf8');
  const spec = loadApiSpec();
  const operations = operationsOf(spec);
  /** `METHOD /path` as the route table writes it (a query after `?` is the route's parameters). */
  const routeOf = (text: string) => text.replace(/\?.*$/, '');

  it('the route table has every operation of the spec, by method, path and operationId, and nothing else', () => {
    const lines = page.split('\n');
    const start = lines.findIndex((line) => line.startsWith('| route | operation |'));
    expect(start, 'docs/api.md: the route table (| route | operation | what |)').toBeGreaterThan(-1);
    const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
    const rows = lines.slice(start + 2, end);
    const documented = rows.map((row) => {
      const [, route = '', operation = ''] = row.split('|').map((cell) => cell.trim().replace(/^`|`$/g, ''));
      return `${routeOf(route)} ${operation}`;
    });
    expect(documented.sort()).toEqual(operations.map((o) => `${o.method.toUpperCase()} ${o.path} ${o.operationId}`).sort());
  });

  it('names every route it mentions as the spec has it, and the caller push', () => {
    const templates = operations.map((o) => ({
      method: o.method.toUpperCase(),
      pattern: new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '(\\{[^}]+\\}|[^/]+)')}$`),
    }));
    const mentioned = [...page.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/v1\/[^\s`|)]*)/g)].map(([, method, path]) => ({
      method: method!,
      path: routeOf(path!),
    }));
    expect(mentioned.length).toBeGreaterThanOrEqual(operations.length);
    const unknown = mentioned.filter(({ method, path }) => !templates.some((t) => t.method === method && t.pattern.test(path)));
    expect(unknown, 'routes docs/api.md mentions that specs/api.yaml does not have').toEqual([]);
    for (const webhook of operationsOf(spec, 'webhooks'))
      expect(page, `docs/api.md: ${webhook.operationId}`).toContain(`\`${webhook.operationId}\``);
  });
});
