// The floor of a cold start on this machine, for `npm run bench`: the least a server on the
// gateway's stack does before its first "My storage" — Node, pg, a pool, one query of bench01's
// licences — with the HTTP layer named by the first argument: `fastify` (the gateway's, with one
// route instead of ~170) or `http` (node:http alone). Launched and polled as the gateway is, it
// tells how much of the gateway's cold start is the stack and the machine rather than our code.
// Plain JavaScript, so that Node runs it without loading a TypeScript stripper.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();

const layer = process.argv[2];
const { default: pg } = await import('pg');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
await pool.query('SELECT 1');

const LICENCES = `SELECT l.name, l.end_date FROM licences l WHERE l.owner_person_id = $1
  UNION SELECT l.name, l.end_date FROM licences l JOIN licence_managers m ON m.licence_id = l.id WHERE m.person_id = $1
  ORDER BY end_date`;

async function page() {
  const { rows } = await pool.query(LICENCES, [Number(process.env.BENCH_PERSON_ID)]);
  return `<!doctype html><title>My storage</title><ul>${rows.map((row) => `<li>${row.name}</li>`).join('')}</ul>`;
}

const port = Number(process.env.PORT);
if (layer === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/storage/', async (_request, reply) => reply.type('text/html').send(await page()));
  await app.listen({ port, host: '127.0.0.1' });
} else if (layer === 'http') {
  const { createServer } = await import('node:http');
  createServer((_request, response) => {
    page().then((html) => response.writeHead(200, { 'content-type': 'text/html' }).end(html));
  }).listen(port, '127.0.0.1');
} else {
  throw new Error(`unknown layer ${layer}: fastify or http`);
}
process.on('SIGTERM', () => process.exit(0));
