import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { assetRoutes } from './assets.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serving(files: Record<string, string>): Promise<{ app: FastifyInstance; dir: string }> {
  const root = mkdtempSync(path.join(tmpdir(), 'ssgw-assets-'));
  const dir = path.join(root, 'public');
  writeFileSync(path.join(root, 'secret.txt'), 'not public');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  app = Fastify();
  app.setNotFoundHandler((_request, reply) => reply.code(404).send('not here'));
  await app.register(assetRoutes, { dir, maxAgeSeconds: 3600 });
  return { app, dir };
}

describe('the files of public/ at /assets/', () => {
  it('serves a file with its type, an hour of browser caching, an ETag and Last-Modified', async () => {
    const { app } = await serving({ 'site.css': 'body { margin: 0 }', 'price.js': 'void 0;' });
    const css = await app.inject('/assets/site.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=3600');
    expect(css.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(css.headers['last-modified']).toBeTruthy();
    expect(css.body).toBe('body { margin: 0 }');
    const js = await app.inject('/assets/price.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await app.inject({ method: 'HEAD', url: '/assets/site.css' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 304 to a browser that already has the file, and the file again once it has changed', async () => {
    const { app, dir } = await serving({ 'site.css': 'a {}' });
    const first = await app.inject('/assets/site.css');
    const etag = String(first.headers.etag);
    const again = await app.inject({ url: '/assets/site.css', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const since = await app.inject({
      url: '/assets/site.css',
      headers: { 'if-modified-since': String(first.headers['last-modified']) },
    });
    expect(since.statusCode).toBe(304);
    writeFileSync(path.join(dir, 'site.css'), 'a { color: red }');
    const changed = await app.inject({ url: '/assets/site.css', headers: { 'if-none-match': 'W/"0-0"' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toBe('a { color: red }');
  });

  it('answers only the names in the folder: nothing beside it, nothing added later', async () => {
    const { app, dir } = await serving({ 'site.css': 'a {}' });
    writeFileSync(path.join(dir, 'later.js'), 'void 0;');
    for (const url of [
      '/assets/later.js',
      '/assets/..%2Fsecret.txt',
      '/assets/../secret.txt',
      '/assets/%2E%2E/secret.txt',
      '/assets/',
      '/assets/nothing.css',
    ]) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('not public');
    }
  });
});
