//! Connection URLs and options as ioredis reads them: `redis://user:pass@host:port/db?opt=v`,
//! `rediss://…` (TLS: accepted, meaningless here), a bare `host:port`, a unix socket path, or a
//! port number given as a string.

function isInt(value) {
  const x = parseFloat(value);
  return !Number.isNaN(Number(value)) && (x | 0) === x;
}

function queryItem(key, value) {
  if (key === 'family') {
    const n = Number.parseInt(value, 10);
    if (!Number.isNaN(n)) return n;
  }
  return value;
}

/** Fills `target`'s missing (undefined) properties from `source`, as lodash's `defaults`. */
export function defaults(target, ...sources) {
  for (const source of sources) {
    if (source === null || source === undefined) continue;
    for (const key of Object.keys(source)) {
      if (target[key] === undefined) target[key] = source[key];
    }
  }
  return target;
}

export { isInt };

/** The options a connection string stands for. */
export function parseURL(url) {
  if (isInt(url)) return { port: url };
  const hasProtocol = /^rediss?:\/\//i.test(url);
  const protocolRelative = url.startsWith('//');
  if (url[0] === '/' && !protocolRelative) {
    const q = url.indexOf('?');
    const result = { path: q === -1 ? url : url.slice(0, q) };
    if (q !== -1) {
      const options = {};
      new URLSearchParams(url.slice(q + 1)).forEach((value, key) => {
        options[key] = queryItem(key, value);
      });
      defaults(result, options);
    }
    return result;
  }
  let parsed;
  if (hasProtocol) parsed = new URL(url);
  else if (protocolRelative) parsed = new URL(`redis:${url}`);
  else parsed = new URL(`redis://${url}`);
  const options = {};
  parsed.searchParams.forEach((value, key) => {
    options[key] = queryItem(key, value);
  });
  const result = {};
  if (parsed.username || parsed.password) {
    result.username = decodeURIComponent(parsed.username);
    result.password = decodeURIComponent(parsed.password);
  }
  if (parsed.pathname && parsed.pathname !== '/') {
    if (hasProtocol || protocolRelative) {
      if (parsed.pathname.length > 1) result.db = parsed.pathname.slice(1);
    } else {
      result.path = parsed.pathname;
    }
  }
  if (parsed.hostname) result.host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (parsed.port) result.port = parsed.port;
  defaults(result, options);
  return result;
}
