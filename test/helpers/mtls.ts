// Mutual TLS for tests: a throwaway certificate authority (openssl) that signs server and client certificates, and
// a real HTTPS receiver on 127.0.0.1 that requires a client certificate signed by a given CA and records which
// certificate each request came with. Always `stop()` the receiver.
import { readFileSync, writeFileSync } from "node:fs";
import tls from "node:tls";
import type { TempDir } from "./temp.ts";

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCa extends Pem {
  /** A certificate for `name` (server: subjectAltName DNS:name; client: clientAuth), signed by this CA. */
  issue(name: string, use: "server" | "client"): Pem;
}

function openssl(args: string[]): void {
  const run = Bun.spawnSync(["openssl", ...args], { stdout: "ignore", stderr: "pipe" });
  if (run.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr.toString()}`);
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A new CA (EC P-256, valid one day) whose files live in `dir`. */
export function testCa(dir: TempDir, name = "hookgate-test-ca"): TestCa {
  const caCert = dir.file(`${name}.crt`);
  const caKey = dir.file(`${name}.key`);
  openssl([
    "req",
    "-x509",
    ...EC,
    "-days",
    "1",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    caKey,
    "-out",
    caCert,
    "-addext",
    "basicConstraints=critical,CA:true",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  let serial = 1;
  return {
    cert: readFileSync(caCert, "utf8"),
    key: readFileSync(caKey, "utf8"),
    issue(subject, use) {
      const base = dir.file(`${name}-${subject}-${serial}`);
      const ext = `${base}.ext`;
      writeFileSync(ext, use === "server" ? `subjectAltName=DNS:${subject}\n` : "extendedKeyUsage=clientAuth\n");
      openssl(["req", ...EC, "-subj", `/CN=${subject}`, "-keyout", `${base}.key`, "-out", `${base}.csr`]);
      openssl([
        "x509",
        "-req",
        "-in",
        `${base}.csr`,
        "-CA",
        caCert,
        "-CAkey",
        caKey,
        "-set_serial",
        String(serial++),
        "-days",
        "1",
        "-out",
        `${base}.crt`,
        "-extfile",
        ext,
      ]);
      return { cert: readFileSync(`${base}.crt`, "utf8"), key: readFileSync(`${base}.key`, "utf8") };
    },
  };
}

export interface MtlsRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The common name of the client certificate the connection presented. */
  clientCn: string | null;
}

export interface MtlsReceiver {
  port: number;
  requests: MtlsRequest[];
  /** TLS connections that failed (a missing or refused client certificate). */
  refusedHandshakes: number;
  stop(): void;
}

/**
 * An HTTPS receiver on 127.0.0.1 serving `server` and requiring a client certificate signed by `clientCa`
 * (handshakes without one fail). Answers every request 200 with `answer` (default `ok`, text/plain) on a connection
 * it then closes.
 */
export async function startMtlsReceiver(
  server: Pem,
  clientCa: string,
  answer: { body: string; contentType: string } = { body: "ok", contentType: "text/plain" },
): Promise<MtlsReceiver> {
  const requests: MtlsRequest[] = [];
  const sockets = new Set<tls.TLSSocket>();
  const state = { refused: 0 };
  const listener = tls.createServer(
    { cert: server.cert, key: server.key, ca: clientCa, requestCert: true, rejectUnauthorized: true },
    (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      socket.setTimeout(10_000, () => socket.destroy());
      const cn = socket.getPeerCertificate()?.subject?.CN;
      const clientCn = typeof cn === "string" ? cn : null;
      let buffered = "";
      socket.on("data", (chunk) => {
        buffered += chunk.toString("utf8");
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const [line = "", ...lines] = buffered.slice(0, end).split("\r\n");
        const headers: Record<string, string> = {};
        for (const l of lines) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
        const length = Number(headers["content-length"] ?? 0);
        if (Buffer.byteLength(buffered.slice(end + 4)) < length) return;
        const [method = "", path = ""] = line.split(" ");
        requests.push({ method, path, headers, body: buffered.slice(end + 4), clientCn });
        const size = Buffer.byteLength(answer.body);
        socket.end(
          `HTTP/1.1 200 OK\r\nContent-Type: ${answer.contentType}\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n${answer.body}`,
        );
      });
    },
  );
  listener.on("tlsClientError", () => state.refused++);
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  return {
    port: (listener.address() as { port: number }).port,
    requests,
    get refusedHandshakes() {
      return state.refused;
    },
    stop() {
      listener.close();
      for (const s of sockets) s.destroy();
    },
  };
}
