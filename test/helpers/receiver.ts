// A real webhook receiver for delivery tests: Bun.serve on 127.0.0.1, a random port, scripted answers per
// request, and a record of every request (method, headers, exact body bytes). Always `stop()` it.
import type { Server } from "bun";

export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/hooks?x=1`. */
  path: string;
  headers: Headers;
  /** The exact bytes received. */
  body: Uint8Array;
  /** The body decoded as UTF-8. */
  text: string;
  /** performance.now() when the request arrived. */
  at: number;
}

/** How the receiver answers one request. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Wait this long (real milliseconds) before answering, e.g. to provoke a timeout. */
  delayMs?: number;
}

export type Reply =
  | ScriptedReply
  | ((request: ReceivedRequest) => Response | ScriptedReply | Promise<Response | ScriptedReply>);

export interface Receiver {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  url: string;
  port: number;
  /** Every request received so far, in arrival order. */
  requests: ReceivedRequest[];
  /** Queues answers for the next requests, in order; once they are used up the default answers. */
  script(...replies: Reply[]): void;
  /** The answer when no scripted one is left (initially 200 `ok`). */
  setDefault(reply: Reply): void;
  /** Resolves once at least `count` requests arrived; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Closes the socket and any open connection (sleeping handlers included). Safe to call twice. */
  stop(): void;
}

const OK: ScriptedReply = { status: 200, body: "ok" };

async function render(reply: Reply, request: ReceivedRequest): Promise<Response> {
  const r = typeof reply === "function" ? await reply(request) : reply;
  if (r instanceof Response) return r;
  if (r.delayMs) await Bun.sleep(r.delayMs);
  return new Response((r.body ?? "") as BodyInit, { status: r.status ?? 200, headers: r.headers });
}

/** Starts a receiver on 127.0.0.1 and a free port. */
export function startReceiver(options: { default?: Reply } = {}): Receiver {
  const requests: ReceivedRequest[] = [];
  const queue: Reply[] = [];
  let fallback: Reply = options.default ?? OK;
  const listeners = new Set<() => void>();
  let stopped = false;

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const body = new Uint8Array(await req.arrayBuffer());
      const url = new URL(req.url);
      const received: ReceivedRequest = {
        method: req.method,
        path: url.pathname + url.search,
        headers: req.headers,
        body,
        text: new TextDecoder().decode(body),
        at: performance.now(),
      };
      requests.push(received);
      for (const f of listeners) f();
      return render(queue.shift() ?? fallback, received);
    },
  });
  const port = server.port!;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script: (...replies) => void queue.push(...replies),
    setDefault: (reply) => {
      fallback = reply;
    },
    waitForRequests(count, timeoutMs = 5000) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(requests);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      void server.stop(true);
    },
  };
}
