import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from './signature.ts';

describe('webhook signatures', () => {
  const secret = 'a-secret-of-the-gateway-and-the-provisioner';
  const body = '{"action":"provision","request":{"run":{"id":1}}}';

  it('is sha256= and the hex HMAC-SHA256 of the raw body', () => {
    const expected = createHmac('sha256', secret).update(body).digest('hex');
    expect(signBody(secret, body)).toBe(`sha256=${expected}`);
    expect(signBody(secret, Buffer.from(body))).toBe(`sha256=${expected}`);
  });

  it('verifies the right signature and nothing else', () => {
    const signature = signBody(secret, body);
    expect(verifySignature(secret, body, signature)).toBe(true);
    expect(verifySignature(secret, `${body} `, signature)).toBe(false);
    expect(verifySignature('another secret', body, signature)).toBe(false);
    expect(verifySignature(secret, body, signature.slice(0, -1))).toBe(false);
    expect(verifySignature(secret, body, signature.replace('sha256=', 'sha1='))).toBe(false);
    expect(verifySignature(secret, body, undefined)).toBe(false);
    expect(verifySignature(secret, body, '')).toBe(false);
  });
});
