// A real egress proxy for tests, on 127.0.0.1 and a free port: HTTP CONNECT tunnels (for https targets) and plain
// forwarding of absolute-URI requests (for http targets), like Squid or Smokescreen. It records what it was asked
// for, can require credentials (407 without them) and refuse targets (403). Always `stop()` it.
import net from "node:net";

export interface ProxiedRequest {
  /** CONNECT, or the forwarded request's method. */
  method: string;
  /** `host:port` for CONNECT, the absolute URI otherwise. */
  target: string;
  /** The request's Host header (forwarded requests: the original host the client asked for). */
  host: string | null;
  proxyAuthorization: string | null;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>` (no credentials). */
  url: string;
  port: number;
  /** The URL with `user:password@`. */
  urlWith(user: string, password: string): string;
  requests: ProxiedRequest[];
  stop(): void;
}

export interface ProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(user:password)`; anything else gets 407. */
  credentials?: { user: string; password: string };
  /** Answer 403 instead of connecting when this says so. */
  refuse?: (request: ProxiedRequest) => boolean;
}

const HEAD_END = "\r\n\r\n";
const HOP_BY_HOP = new Set(["proxy-authorization", "proxy-connection", "connection", "keep-alive"]);
const IDLE_MS = 10_000;

function parseHead(head: string): { method: string; target: string; version: string; headers: [string, string][] } {
  const [requestLine = "", ...lines] = head.split("\r\n");
  const [method = "", target = "", version = "HTTP/1.1"] = requestLine.split(" ");
  const headers = lines.map((l): [string, string] => {
    const colon = l.indexOf(":");
    return [l.slice(0, colon).trim(), l.slice(colon + 1).trim()];
  });
  return { method, target, version, headers };
}

/** Starts a forward proxy on 127.0.0.1. */
export async function startForwardProxy(options: ProxyOptions = {}): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.setTimeout(IDLE_MS, () => s.destroy());
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString("base64")}`
    : null;

  const server = net.createServer((client) => {
    track(client);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(HEAD_END);
      if (end < 0) return;
      client.off("data", onData);
      const rest = buffered.subarray(end + HEAD_END.length);
      handle(client, parseHead(buffered.subarray(0, end).toString("latin1")), rest);
    };
    client.on("data", onData);
  });

  const answer = (client: net.Socket, status: string): void => {
    client.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  };

  function handle(client: net.Socket, head: ReturnType<typeof parseHead>, rest: Buffer): void {
    const header = (name: string) => head.headers.find(([k]) => k.toLowerCase() === name)?.[1] ?? null;
    const request: ProxiedRequest = {
      method: head.method,
      target: head.target,
      host: header("host"),
      proxyAuthorization: header("proxy-authorization"),
    };
    requests.push(request);
    if (expected !== null && request.proxyAuthorization !== expected) {
      answer(client, "407 Proxy Authentication Required");
      return;
    }
    if (options.refuse?.(request)) {
      answer(client, "403 Forbidden");
      return;
    }
    if (head.method === "CONNECT") {
      const colon = head.target.lastIndexOf(":");
      const upstream = net.connect(Number(head.target.slice(colon + 1)), head.target.slice(0, colon), () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (rest.length > 0) upstream.write(rest);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      track(upstream);
      upstream.on("error", () => answer(client, "502 Bad Gateway"));
      return;
    }
    let url: URL;
    try {
      url = new URL(head.target);
    } catch {
      answer(client, "400 Bad Request");
      return;
    }
    // One request per connection, both ways: forwarded with Connection: close, and its answer handed back with
    // Connection: close, so the client never sends a second request down a connection bound to this upstream.
    const lines = [`${head.method} ${url.pathname}${url.search} ${head.version}`];
    for (const [k, v] of head.headers) if (!HOP_BY_HOP.has(k.toLowerCase())) lines.push(`${k}: ${v}`);
    lines.push("Connection: close");
    const upstream = net.connect(Number(url.port || 80), url.hostname, () => {
      upstream.write(`${lines.join("\r\n")}${HEAD_END}`);
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream);
      let answer = Buffer.alloc(0);
      const onAnswer = (chunk: Buffer) => {
        answer = Buffer.concat([answer, chunk]);
        const end = answer.indexOf(HEAD_END);
        if (end < 0) return;
        upstream.off("data", onAnswer);
        const [status, ...fields] = answer.subarray(0, end).toString("latin1").split("\r\n");
        const kept = fields.filter((f) => !HOP_BY_HOP.has(f.slice(0, f.indexOf(":")).trim().toLowerCase()));
        client.write(`${[status, ...kept, "Connection: close"].join("\r\n")}${HEAD_END}`);
        client.write(answer.subarray(end + HEAD_END.length));
        upstream.pipe(client);
      };
      upstream.on("data", onAnswer);
    });
    track(upstream);
    upstream.on("error", () => answer(client, "502 Bad Gateway"));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    urlWith: (user, password) => `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    requests,
    stop() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
