import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRC32C } from '@google-cloud/storage';

/**
 * Just enough of the Cloud Storage JSON API, on loopback, for GcsDocumentStore driven by the real
 * @google-cloud/storage SDK: multipart upload, object metadata, media download, delete. It reports
 * CRC32C and MD5 like the real service, so the SDK's own integrity checks run against it. No npm
 * package emulates GCS; Google's emulators need Docker or Go.
 */
export interface FakeGcsServer {
  apiEndpoint: string;
  bucket: string;
  /** Request-body bytes taken in so far, counted as they arrive. */
  bytesReceived(): number;
  close(): Promise<void>;
}

interface StoredObject {
  bytes: Buffer;
  contentType: string;
  generation: number;
  updated: string;
  crc32c: string;
  md5Hash: string;
}

export async function startFakeGcsServer(bucket = 'documents'): Promise<FakeGcsServer> {
  const objects = new Map<string, StoredObject>();
  let nextGeneration = 1;
  let bytesReceived = 0;
  const uploadPath = `/upload/storage/v1/b/${bucket}/o`;
  const objectPath = new RegExp(`^/storage/v1/b/${bucket}/o/([^/]+)$`);

  async function readBody(request: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      bytesReceived += chunk.length;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  function resource(name: string, object: StoredObject): Record<string, string> {
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${object.generation}`,
      name,
      bucket,
      generation: String(object.generation),
      metageneration: '1',
      contentType: object.contentType,
      size: String(object.bytes.length),
      crc32c: object.crc32c,
      md5Hash: object.md5Hash,
      updated: object.updated,
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake-gcs');
    if (
      request.method === 'POST' &&
      url.pathname === uploadPath &&
      url.searchParams.get('uploadType') === 'multipart'
    ) {
      // A client that gives up mid-body ends this loop with an error, and nothing is stored.
      const body = await readBody(request);
      const boundary = /boundary="?([^";]+)"?/.exec(request.headers['content-type'] ?? '')?.[1];
      const parts = boundary ? parseMultipartRelated(body, boundary) : undefined;
      const name = url.searchParams.get('name');
      if (parts?.length !== 2 || !name) return sendError(response, 400, 'Malformed multipart upload');
      const [metadataPart, mediaPart] = parts as [Buffer, Buffer];
      const metadata = JSON.parse(metadataPart.toString('utf8')) as { contentType?: string };
      const object: StoredObject = {
        bytes: mediaPart,
        contentType: metadata.contentType ?? 'application/octet-stream',
        generation: nextGeneration++,
        updated: new Date().toISOString(),
        crc32c: crc32cOf(mediaPart),
        md5Hash: createHash('md5').update(mediaPart).digest('base64'),
      };
      objects.set(name, object);
      return sendJson(response, 200, resource(name, object));
    }

    const match = objectPath.exec(url.pathname);
    if (!match?.[1]) return sendError(response, 501, `The fake does not serve ${request.method} ${url.pathname}`);
    const name = decodeURIComponent(match[1]);
    const object = objects.get(name);
    const generation = url.searchParams.get('generation');
    if (!object || (generation !== null && generation !== String(object.generation)))
      return sendError(response, 404, `No such object: ${bucket}/${name}`);

    if (request.method === 'DELETE') {
      objects.delete(name);
      response.writeHead(204).end();
      return;
    }
    if (request.method !== 'GET') return sendError(response, 501, `The fake does not serve ${request.method}`);
    if (url.searchParams.get('alt') !== 'media') return sendJson(response, 200, resource(name, object));
    response
      .writeHead(200, {
        'content-type': object.contentType,
        'content-length': object.bytes.length,
        'x-goog-generation': String(object.generation),
        'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
        'x-goog-stored-content-encoding': 'identity',
      })
      .end(object.bytes);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent && !request.destroyed) sendError(response, 500, String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiEndpoint: `http://127.0.0.1:${port}`,
    bucket,
    bytesReceived: () => bytesReceived,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The part bodies of a complete multipart/related body, or undefined when the closing boundary is missing. */
function parseMultipartRelated(body: Buffer, boundary: string): Buffer[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let position = body.indexOf(delimiter);
  if (position === -1) return undefined;
  position += delimiter.length;
  for (;;) {
    if (body.subarray(position, position + 2).toString() === '--') return parts;
    const headersEnd = body.indexOf('\r\n\r\n', position);
    if (headersEnd === -1) return undefined;
    const contentStart = headersEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), contentStart);
    if (next === -1) return undefined;
    parts.push(body.subarray(contentStart, next));
    position = next + 2 + delimiter.length;
  }
}

function crc32cOf(bytes: Buffer): string {
  const crc32c = new CRC32C();
  crc32c.update(bytes);
  return crc32c.toString();
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { error: { code: status, message, errors: [{ message, reason: 'fake' }] } });
}
