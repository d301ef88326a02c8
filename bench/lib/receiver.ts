// A bare webhook receiver for benchmarks, run as its own process: answers 200 (or a scripted status),
// and records when each webhook-id arrived. GET /__stats returns the arrivals; POST /__mode sets the status.
//   bun bench/lib/receiver.ts            → prints {"port": N} on stdout, then serves until killed
const arrivals = new Map<string, number>();
let count = 0;
let mode = { status: 200, until: 0, retryAfter: "" };
const now = () => performance.timeOrigin + performance.now();

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/__stats") {
      return Response.json({
        count,
        unique: arrivals.size,
        arrivals: url.searchParams.has("full") ? Object.fromEntries(arrivals) : undefined,
      });
    }
    if (url.pathname === "/__reset") {
      arrivals.clear();
      count = 0;
      return new Response("ok");
    }
    if (url.pathname === "/__mode") {
      const m = (await req.json()) as { status: number; forMs: number; retryAfter?: string };
      mode = { status: m.status, until: now() + m.forMs, retryAfter: m.retryAfter ?? "" };
      return new Response("ok");
    }
    await req.arrayBuffer();
    if (mode.status !== 200 && now() < mode.until) {
      return new Response("unavailable", {
        status: mode.status,
        headers: mode.retryAfter ? { "retry-after": mode.retryAfter } : {},
      });
    }
    count++;
    const id = req.headers.get("webhook-id") ?? req.headers.get("x-bench-id");
    if (id && !arrivals.has(id)) arrivals.set(id, now());
    return new Response("ok");
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
