// What an egress proxy and mutual TLS cost per attempt: `bun bench/egress.ts [deliveries]`. One gateway in this
// process, a receiver and the test suite's forward proxy on 127.0.0.1; each delivery is published with ?wait=true
// one after another, and the attempt's duration (connect, TLS, request, answer) is read from the answer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.ts";
import { startGateway } from "../src/gateway.ts";
import { memoryLogger } from "../src/lib/logger.ts";
import { startForwardProxy } from "../test/helpers/forward-proxy.ts";
import { startMtlsReceiver, testCa } from "../test/helpers/mtls.ts";
import { startReceiver } from "../test/helpers/receiver.ts";

const N = Number(process.argv[2] ?? 300);
const KEY = "bench-admin-key-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "hookgate-egress-bench-"));
const temp = { path: dir, file: (...p: string[]) => join(dir, ...p), cleanup: () => {} };
const ca = testCa(temp);
const client = ca.issue("bench-client", "client");
const plain = startReceiver();
const mtls = await startMtlsReceiver(ca.issue("localhost", "server"), ca.cert);
const proxy = await startForwardProxy();
const config = loadConfig(
  [
    `storage: {path: ${join(dir, "hookgate.db")}}`,
    `signing: {ed25519_key_file: ${join(dir, "ed25519.key")}}`,
    `auth: {admin_keys: [${KEY}]}`,
    "security: {allow_http: true, allow_private_networks: true}",
    `delivery: {proxies: {local: "${proxy.url}"}}`,
  ].join("\n"),
  { file: null, env: {} },
);
const gw = await startGateway(config, { logger: memoryLogger(), env: {}, listen: false, watch: false });
const call = async (method: string, path: string, body: unknown) => {
  const res = await gw.app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return (await res.json()) as { data: any };
};
const tls = { client_cert: client.cert, client_key: client.key, ca: ca.cert };
const cases = [
  { label: "http, direct", endpoint: { url: `${plain.url}/d`, proxy: null } },
  { label: "http, forwarded by the proxy", endpoint: { url: `${plain.url}/p`, proxy: "local" } },
  {
    label: "https + client certificate, direct",
    endpoint: { url: `https://localhost:${mtls.port}/d`, proxy: null, tls },
  },
  {
    label: "https + client certificate, CONNECT tunnel",
    endpoint: { url: `https://localhost:${mtls.port}/p`, proxy: "local", tls },
  },
];
const rows = ["| how | attempts | p50 ms | p95 ms | delivered |", "|---|---|---|---|---|"];
try {
  for (const c of cases) {
    const ep = (await call("POST", "/v1/endpoints", { events: ["*"], tenant_id: "bench", ...c.endpoint })).data;
    const times: number[] = [];
    let delivered = 0;
    for (let i = 0; i < N; i++) {
      const r = await call("POST", "/v1/events?wait=true", {
        type: "bench.egress",
        data: { i },
        tenant_id: "bench",
        endpoint_ids: [ep.id],
      });
      const d = r.data.deliveries[0];
      if (d.status === "delivered") delivered++;
      times.push(d.response_time_ms);
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    rows.push(`| ${c.label} | ${N} | ${at(0.5)} | ${at(0.95)} | ${delivered} |`);
  }
} finally {
  await gw.stop();
  plain.stop();
  mtls.stop();
  proxy.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(rows.join("\n"));
