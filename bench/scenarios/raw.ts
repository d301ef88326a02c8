// 1. The raw ceiling: a Bun client sending HMAC-signed ~1 KB JSON POSTs straight to the bare receiver.
import { createHmac } from "node:crypto";
import { eventData, now, receiverStats } from "../lib/load.ts";
import { startReceiver } from "../lib/procs.ts";

export async function rawCeiling(n: number, concurrency: number): Promise<{ perSec: number }> {
  const rx = await startReceiver();
  try {
    const key = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
    let next = 0;
    const t0 = now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          const id = `msg_${i}`;
          const body = JSON.stringify({
            id,
            type: "order.created",
            timestamp: new Date().toISOString(),
            tenant_id: "default",
            data: eventData(i),
          });
          const ts = Math.floor(Date.now() / 1000);
          const sig = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64");
          const res = await fetch(`${rx.url}/hook`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "webhook-id": id,
              "webhook-timestamp": String(ts),
              "webhook-signature": `v1,${sig}`,
            },
            body,
          });
          await res.arrayBuffer();
        }
      }),
    );
    const elapsed = now() - t0;
    const { unique } = await receiverStats(rx.url);
    if (unique !== n) throw new Error(`raw ceiling: receiver saw ${unique}/${n}`);
    return { perSec: n / (elapsed / 1000) };
  } finally {
    await rx.stop();
  }
}
