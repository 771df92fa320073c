/** One answer as a browser saw it: where it came from, and where it pointed next. */
export interface HttpHop {
  url: URL;
  method: string;
  status: number;
  /** The Location header resolved against `url`, for redirects. */
  location?: URL;
  body: string;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A small browser over real HTTP: one cookie jar per origin, redirects followed one hop at a time
 * so that a test can stop at any hop (say, the identity provider's answer) and look at it.
 * Cookie paths are ignored; a newer cookie of the same name replaces the older one.
 */
export class HttpBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpHop> {
    const target = new URL(url);
    const method = options.method ?? (options.form ? 'POST' : 'GET');
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(target, { method, headers, body, redirect: 'manual' });
    this.remember(target, response.headers.getSetCookie());
    const locationHeader = response.headers.get('location');
    return {
      url: target,
      method,
      status: response.status,
      location: locationHeader ? new URL(locationHeader, target) : undefined,
      body: await response.text(),
    };
  }

  /**
   * Makes a request and follows its redirects like a browser (a 303, 302 or 301 after a POST
   * becomes a GET), until an answer that is not a redirect or one that `stopBefore` picks.
   * Returns every hop, last one last.
   */
  async follow(
    url: string | URL,
    options: HttpRequestOptions & { stopBefore?: (next: URL) => boolean; maxHops?: number } = {},
  ): Promise<HttpHop[]> {
    const hops = [await this.request(url, options)];
    for (let hop = hops[0]; hop?.location && REDIRECT_STATUSES.has(hop.status); ) {
      if (options.stopBefore?.(hop.location)) break;
      if (hops.length >= (options.maxHops ?? 15)) throw new Error(`too many redirects from ${String(url)}`);
      const keepsBody = hop.status === 307 || hop.status === 308;
      hop = await this.request(
        hop.location,
        keepsBody ? { method: hop.method === 'POST' ? 'POST' : 'GET', form: options.form } : {},
      );
      hops.push(hop);
    }
    return hops;
  }

  cookie(origin: string | URL, name: string): string | undefined {
    return this.jars.get(new URL(origin).origin)?.get(name);
  }

  private cookieHeader(url: URL): string {
    const jar = this.jars.get(url.origin);
    return jar ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  private remember(url: URL, setCookies: string[]): void {
    let jar = this.jars.get(url.origin);
    if (!jar) {
      jar = new Map();
      this.jars.set(url.origin, jar);
    }
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      if (separator < 1) continue;
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      if (value === '' || attributes.some(isDeletion)) jar.delete(name);
      else jar.set(name, value);
    }
  }
}

function isDeletion(attribute: string): boolean {
  const [key = '', value = ''] = attribute.split('=');
  if (key.toLowerCase() === 'max-age') return Number(value) <= 0;
  if (key.toLowerCase() === 'expires') return Date.parse(value) <= Date.now();
  return false;
}

/** The last hop, which a test reads as "the page the browser shows". */
export function lastHop(hops: HttpHop[]): HttpHop {
  const hop = hops.at(-1);
  if (!hop) throw new Error('no request was made');
  return hop;
}
