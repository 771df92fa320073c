import { readdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

type Send = typeof import('@fastify/send').default;
let sendLoaded: Promise<Send> | undefined;

/** @fastify/send, imported once, on the first asset request. */
function loadSend(): Promise<Send> {
  // The default export: the module itself, under Node and in the esbuild bundle alike.
  sendLoaded ??= import('@fastify/send').then(({ default: send }) => {
    // RFC 9239: JavaScript is text/javascript (send's table still says application/javascript).
    send.mime.define({ 'text/javascript': ['js'] }, true);
    return send;
  });
  return sendLoaded;
}

/**
 * The files of one folder (the gateway's public/: a style sheet and two small scripts) at
 * /assets/<name>, sent by @fastify/send (what @fastify/static uses): type, ETag, Last-Modified,
 * 304 to a browser that has the file, and kept by browsers for `maxAgeSeconds`.
 *
 * Only the names the folder holds when the app is built are served, so no request can reach
 * outside it; each file is read when asked for, so an edited file is served as it now is.
 * @fastify/send is loaded on the first asset request rather than at start: loading @fastify/static
 * (with its glob) at registration was ~30-60 ms of every cold start, for three files.
 */
export async function assetRoutes(app: FastifyInstance, options: { dir: string; maxAgeSeconds: number }) {
  const names = new Set(
    readdirSync(options.dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => entry.name),
  );
  const sendOptions = {
    root: options.dir,
    maxAge: options.maxAgeSeconds * 1000,
    dotfiles: 'deny',
    index: false,
  } as const;

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const { name } = request.params;
    if (!names.has(name)) return reply.callNotFound();
    const send = await loadSend();
    const sent = await send(request.raw, `/${encodeURIComponent(name)}`, sendOptions);
    if (sent.type === 'error' && sent.statusCode === 404) return reply.callNotFound();
    if (sent.type === 'error') throw sent.metadata.error;
    return reply.code(sent.statusCode).headers(sent.headers).send(sent.stream);
  });
}
