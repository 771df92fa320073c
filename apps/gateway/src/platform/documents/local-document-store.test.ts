import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDocumentStoreContract } from '../../../test/support/document-store-contract.ts';
import { InvalidDocumentKeyError } from './document-store.ts';
import { LocalDocumentStore } from './local-document-store.ts';

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describeDocumentStoreContract('Local folder', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'ssgw-documents-'));
  const store = new LocalDocumentStore(path.join(root, 'documents'));
  return {
    store,
    bytesReceived: async () => {
      const files = await filesUnder(root).catch(() => []);
      const sizes = await Promise.all(
        files.map((file) =>
          stat(file).then(
            (stats) => stats.size,
            () => 0,
          ),
        ),
      );
      return sizes.reduce((total, size) => total + size, 0);
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
});

describe('LocalDocumentStore on disk', () => {
  let workspace: string;
  let root: string;
  let store: LocalDocumentStore;

  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'ssgw-documents-'));
    root = path.join(workspace, 'documents');
    store = new LocalDocumentStore(root);
  });
  afterEach(() => rm(workspace, { recursive: true, force: true }));

  it('keeps each document as a plain file readable by this user only, under private folders', async () => {
    await store.put('po/2026/order.pdf', Buffer.from('%PDF-1.7 order'), { contentType: 'application/pdf' });

    const file = path.join(root, 'po', '2026', 'order.pdf');
    expect(await readFile(file, 'utf8')).toBe('%PDF-1.7 order');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'po', '2026', '.order.pdf.meta.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'po'))).mode & 0o777).toBe(0o700);
    expect(await filesUnder(root)).toHaveLength(2);
  });

  it('leaves no temporary file behind when a body fails', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(1024);
        throw new Error('upload cut off');
      })(),
    );
    await expect(store.put('po/2026/cut.pdf', failing, { contentType: 'application/pdf' })).rejects.toThrow(
      'upload cut off',
    );
    expect(await filesUnder(root)).toEqual([]);
  });

  it('does not follow a link to a folder outside the store', async () => {
    const outside = path.join(workspace, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.pdf'), 'not yours');
    await mkdir(root, { recursive: true });
    await symlink(outside, path.join(root, 'po'));

    await expect(store.get('po/secret.pdf')).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(store.exists('po/secret.pdf')).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(store.delete('po/secret.pdf')).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(
      store.put('po/planted.pdf', Buffer.from('x'), { contentType: 'application/pdf' }),
    ).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    expect((await readdir(outside)).sort()).toEqual(['secret.pdf']);
  });

  it('does not follow a link planted where a document should be', async () => {
    const outside = path.join(workspace, 'secret.pdf');
    await writeFile(outside, 'not yours');
    await mkdir(path.join(root, 'po'), { recursive: true });
    await symlink(outside, path.join(root, 'po', 'linked.pdf'));

    await expect(store.get('po/linked.pdf')).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    expect(await store.exists('po/linked.pdf')).toBe(false);
  });

  it('serves a file placed by hand, without a sidecar, as plain bytes', async () => {
    await mkdir(path.join(root, 'imported'), { recursive: true });
    await writeFile(path.join(root, 'imported', 'old.pdf'), '%PDF-1.4 legacy');

    const download = await store.get('imported/old.pdf');

    expect(download.contentType).toBe('application/octet-stream');
    expect(download.size).toBe('%PDF-1.4 legacy'.length);
    download.body.destroy();
  });
});
