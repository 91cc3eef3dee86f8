// Drives HTTP as a browser does: a cookie jar, manual redirect following
// (so every hop's cookies are stored) and form submission.
import { CookieJar } from './cookie-jar.mjs';

export class Browser {
  constructor(jar = new CookieJar()) {
    this.jar = jar;
  }

  /** One request, no redirect following; stores cookies. */
  async request(url, { method = 'GET', headers = {}, body } = {}) {
    const h = new Headers(headers);
    const cookie = this.jar.header(url);
    if (cookie) h.set('cookie', cookie);
    const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
    this.jar.store(res, url);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, url, location: res.headers.get('location') };
  }

  /** Follows redirects (303 → GET; 307/308 keep method) until a non-redirect or `stop(url)`. */
  async follow(url, options = {}, { stop = () => false, max = 20 } = {}) {
    const hops = [];
    let res = await this.request(url, options);
    hops.push(res);
    while ([301, 302, 303, 307, 308].includes(res.status) && res.location && hops.length < max) {
      const next = new URL(res.location, res.url).href;
      if (stop(next)) return { ...res, stoppedAt: next, hops };
      const keep = res.status === 307 || res.status === 308;
      res = await this.request(next, keep ? options : {});
      hops.push(res);
    }
    return { ...res, hops };
  }

  /** Submits the first form of an HTML page with its inputs plus `fields`. */
  async submitForm(page, fields = {}, opts = {}) {
    const form = page.text.match(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i);
    if (!form) throw new Error(`no form on ${page.url} (status ${page.status}): ${page.text.slice(0, 300)}`);
    const action = new URL(form[1].replaceAll('&amp;', '&'), page.url).href;
    const data = new URLSearchParams();
    for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
      const name = input[1].match(/name="([^"]*)"/)?.[1];
      const value = input[1].match(/value="([^"]*)"/)?.[1] ?? '';
      if (name) data.set(name, value);
    }
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return this.follow(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: data.toString() }, opts);
  }
}
