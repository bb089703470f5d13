/**
 * Server addresses as URLs: what `connect` is given, what `c.endpoint` says, and how a MOVE's or a
 * TARGET_HINT's host and port become the target's URL (the current scheme, and for WebSocket the current
 * path, unless the host is itself a URL).
 */

export type Scheme = "ws" | "wss" | "tcp" | "tls";

export interface Endpoint {
  readonly scheme: Scheme;
  /** Host as a socket wants it: an IPv6 address without its brackets. */
  readonly host: string;
  readonly port: number;
  /** Path and query, WebSocket only ("" for tcp and tls). */
  readonly path: string;
  /** The whole URL, as `c.endpoint` reports it. */
  readonly url: string;
}

const FORM = /^([a-z]+):\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#[\]@]+)(?::(\d{1,5}))?([/?][^#]*)?$/;

/** Parses a server URL; throws a TypeError that says what is accepted. */
export function parseEndpoint(url: string): Endpoint {
  const m = FORM.exec(url);
  const scheme = m?.[1];
  if (!m || (scheme !== "ws" && scheme !== "wss" && scheme !== "tcp" && scheme !== "tls")) {
    throw new TypeError(`cannot use the server URL '${url}': expected ws://host:port/path, wss://host:port/path, `
      + "tcp://host:port or tls://host:port");
  }
  const bracketed = m[2]!;
  const host = bracketed.startsWith("[") ? bracketed.slice(1, -1) : bracketed;
  const ws = scheme === "ws" || scheme === "wss";
  if (m[3] === undefined && !ws) {
    throw new TypeError(`cannot use the server URL '${url}': a ${scheme}:// URL needs a port (${scheme}://host:port)`);
  }
  const port = m[3] === undefined ? (scheme === "ws" ? 80 : 443) : Number(m[3]);
  if (port < 1 || port > 65535) {
    throw new TypeError(`cannot use the server URL '${url}': port ${port} is outside 1..65535`);
  }
  const path = ws ? (m[4] ?? "/") : "";
  if (!ws && m[4] !== undefined) {
    throw new TypeError(`cannot use the server URL '${url}': a ${scheme}:// URL has no path`);
  }
  return { scheme, host, port, path, url: format(scheme, host, port, path) };
}

function format(scheme: Scheme, host: string, port: number, path: string): string {
  return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
}

/**
 * Where a MOVE or TARGET_HINT sends the session, seen from the connection it came on: a host that is a URL
 * (contains "://") is taken as it is; else host:port with the current scheme and, for WebSocket, path.
 */
export function relative(current: Endpoint, host: string, port: number): Endpoint {
  if (host.includes("://")) {
    return parseEndpoint(host);
  }
  return { scheme: current.scheme, host, port, path: current.path, url: format(current.scheme, host, port, current.path) };
}
