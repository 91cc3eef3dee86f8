// A small RFC 6265 cookie jar for driving the login flow as a browser does:
// host-only and Domain cookies, Path matching, Max-Age/Expires, Secure sent
// only to secure origins, where loopback (127.0.0.1, ::1, localhost) counts
// as secure like in browsers (a "potentially trustworthy" origin), and the
// __Host-/__Secure- prefix rules. Ports do not isolate cookies (RFC 6265 §8.5).

const LOOPBACK = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

export function isSecureOrigin(url) {
  const u = new URL(url);
  return u.protocol === 'https:' || LOOPBACK.has(u.hostname);
}

function defaultPath(url) {
  const p = new URL(url).pathname;
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export function parseSetCookie(header, url, now = Date.now()) {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const cookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: new URL(url).hostname,
    hostOnly: true,
    path: defaultPath(url),
    secure: false,
    httpOnly: false,
    expires: Infinity,
  };
  let maxAgeSeen = false;
  for (const a of attrs) {
    const [k, ...rest] = a.split('=');
    const key = k.trim().toLowerCase();
    const val = rest.join('=').trim();
    if (key === 'max-age') {
      maxAgeSeen = true;
      const s = Number.parseInt(val, 10);
      cookie.expires = s <= 0 ? 0 : now + s * 1000;
    } else if (key === 'expires' && !maxAgeSeen) {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) cookie.expires = t;
    } else if (key === 'domain' && val) {
      cookie.domain = val.replace(/^\./, '').toLowerCase();
      cookie.hostOnly = false;
    } else if (key === 'path' && val.startsWith('/')) {
      cookie.path = val;
    } else if (key === 'secure') {
      cookie.secure = true;
    } else if (key === 'httponly') {
      cookie.httpOnly = true;
    }
  }
  const secureOrigin = isSecureOrigin(url);
  if (cookie.secure && !secureOrigin) return null;
  if (cookie.name.startsWith('__Secure-') && !cookie.secure) return null;
  if (cookie.name.startsWith('__Host-') && (!cookie.secure || !cookie.hostOnly || cookie.path !== '/')) return null;
  return cookie;
}

export class CookieJar {
  #cookies = new Map();

  key(c) {
    return `${c.domain};${c.path};${c.name}`;
  }

  /** Stores every Set-Cookie of a fetch Response for its URL. */
  store(response, url) {
    for (const header of response.headers.getSetCookie()) this.set(header, url);
  }

  set(header, url) {
    const c = parseSetCookie(header, url);
    if (!c) return;
    if (c.expires <= Date.now()) this.#cookies.delete(this.key(c));
    else this.#cookies.set(this.key(c), c);
  }

  matching(url) {
    const u = new URL(url);
    const now = Date.now();
    const secure = isSecureOrigin(url);
    return [...this.#cookies.values()].filter((c) => {
      if (c.expires <= now) return false;
      const domainOk = c.hostOnly ? u.hostname === c.domain : u.hostname === c.domain || u.hostname.endsWith(`.${c.domain}`);
      return domainOk && pathMatches(u.pathname, c.path) && (!c.secure || secure);
    });
  }

  /** The Cookie header for a request to `url`, or undefined. */
  header(url) {
    const list = this.matching(url).sort((a, b) => b.path.length - a.path.length);
    return list.length ? list.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  get(name, url) {
    return this.matching(url).find((c) => c.name === name)?.value;
  }

  /** A value joined from `name` or its chunks `name.0`, `name.1`, … */
  getJoined(name, url) {
    const whole = this.get(name, url);
    if (whole) return whole;
    let out = '';
    for (let i = 0; ; i++) {
      const part = this.get(`${name}.${i}`, url);
      if (!part) break;
      out += part;
    }
    return out || undefined;
  }

  delete(name, url) {
    for (const c of this.matching(url)) if (c.name === name) this.#cookies.delete(this.key(c));
  }

  names(url) {
    return this.matching(url).map((c) => c.name);
  }

  clone() {
    const j = new CookieJar();
    for (const [k, v] of this.#cookies) j.#cookies.set(k, { ...v });
    return j;
  }
}
