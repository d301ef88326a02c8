// The honest ceiling of a webhook gateway (`bun bench/lib/null-forwarder.ts <receiver url|-> <admin key>`): a Bun
// server that takes POST /v1/events like hookgate (bearer key, JSON body), answers 202 with an id, and — unless the
// receiver is "-" (the bare 202 server) — forwards the envelope signed like hookgate's default scheme. It stores
// nothing, retries nothing, checks nothing else: a gateway with nothing in it. Prints {"port"} on its first line.
const [target, key] = process.argv.slice(2) as [string, string];
const forward = target !== "-";
const secret = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
let seq = 0;

const forwarder = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    if (req.method !== "POST" || new URL(req.url).pathname !== "/v1/events") return new Response(null, { status: 404 });
    if (req.headers.get("authorization") !== `Bearer ${key}`) return new Response(null, { status: 401 });
    const body = (await req.json()) as { type: string; data: unknown };
    const id = `evt_${Date.now().toString(36)}${(seq++).toString(36)}`;
    const timestamp = new Date().toISOString();
    if (forward) {
      const envelope = JSON.stringify({ id, type: body.type, timestamp, tenant_id: "default", data: body.data });
      const ts = Math.floor(Date.now() / 1000);
      const sig = new Bun.CryptoHasher("sha256", secret).update(`${id}.${ts}.`).update(envelope).digest("base64");
      void fetch(`${target}/hook`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(ts),
          "webhook-signature": `v1,${sig}`,
        },
        body: envelope,
      })
        .then((r) => r.arrayBuffer())
        .catch(() => {});
    }
    return Response.json(
      { data: { id, type: body.type, tenant_id: "default", created_at: timestamp, deliveries: [] } },
      { status: 202 },
    );
  },
});
console.log(JSON.stringify({ port: forwarder.port }));

export {};
