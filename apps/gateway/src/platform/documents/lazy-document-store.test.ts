import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DocumentStore } from './document-store.ts';
import { LazyDocumentStore } from './lazy-document-store.ts';
import { LocalDocumentStore } from './local-document-store.ts';

describe('LazyDocumentStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'ssgw-lazy-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds the store on the first call only, once however many calls race', async () => {
    let loads = 0;
    const lazy = new LazyDocumentStore('local', async () => {
      loads += 1;
      return new LocalDocumentStore(root);
    });
    expect(loads).toBe(0);
    expect(lazy.driver).toBe('local');
    await Promise.all([
      lazy.put('po/a.pdf', Buffer.from('a'), { contentType: 'application/pdf' }),
      lazy.exists('po/b.pdf'),
    ]);
    expect(await lazy.exists('po/a.pdf')).toBe(true);
    const download = await lazy.get('po/a.pdf');
    expect(download.size).toBe(1);
    download.body.destroy();
    await lazy.delete('po/a.pdf');
    expect(await lazy.exists('po/a.pdf')).toBe(false);
    expect(loads).toBe(1);
  });

  it('tries again after a failed load, and closes only a store it built', async () => {
    let loads = 0;
    let closed = 0;
    const lazy = new LazyDocumentStore('local', async () => {
      loads += 1;
      if (loads === 1) throw new Error('SDK missing');
      const store = new LocalDocumentStore(root);
      const counted: DocumentStore = {
        driver: 'local',
        put: (key, body, options) => store.put(key, body, options),
        get: (key) => store.get(key),
        delete: (key) => store.delete(key),
        exists: (key) => store.exists(key),
        close: async () => {
          closed += 1;
        },
      };
      return counted;
    });
    await lazy.close();
    expect(closed).toBe(0);
    await expect(lazy.exists('po/a.pdf')).rejects.toThrow('SDK missing');
    expect(await lazy.exists('po/a.pdf')).toBe(false);
    expect(loads).toBe(2);
    await lazy.close();
    expect(closed).toBe(1);
  });
});
