import { describe, expect, it } from 'vitest';
import { withFinalSlash } from './error-handler.tsx';

describe('withFinalSlash', () => {
  const anyPath = () => true;

  it('adds the slash to the path, before the query', () => {
    expect(withFinalSlash('/storage', anyPath)).toBe('/storage/');
    expect(withFinalSlash('/storage/licence/1', anyPath)).toBe('/storage/licence/1/');
    expect(withFinalSlash('/storage?q=a%20b&page=2', anyPath)).toBe('/storage/?q=a%20b&page=2');
    expect(withFinalSlash('/storage?next=/a/b', anyPath)).toBe('/storage/?next=/a/b');
  });

  it('asks about the path with the slash, and leads nowhere it is not a page', () => {
    const asked: string[] = [];
    const notAPage = (path: string) => {
      asked.push(path);
      return false;
    };
    expect(withFinalSlash('/orders/ORD-000004?x=1', notAPage)).toBeUndefined();
    expect(asked).toEqual(['/orders/ORD-000004/']);
  });

  it('leaves an address that has its slash', () => {
    expect(withFinalSlash('/', anyPath)).toBeUndefined();
    expect(withFinalSlash('/storage/', anyPath)).toBeUndefined();
    expect(withFinalSlash('/storage/?q=a', anyPath)).toBeUndefined();
  });

  it('never leads to another site, whatever the router would say', () => {
    for (const url of [
      '//evil.example',
      '//evil.example/storage',
      '///evil.example',
      '/\\evil.example',
      '/\\/evil.example',
      '/storage\\..\\x',
      'http://evil.example/storage',
      'evil.example',
      '',
      '/ /evil.example',
      '/\t/evil.example',
      '/storage\r\nLocation: //evil.example',
      '/zoë',
    ]) {
      expect(withFinalSlash(url, anyPath), JSON.stringify(url)).toBeUndefined();
    }
  });
});
