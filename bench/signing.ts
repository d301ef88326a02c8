// Micro-benchmark of signatureHeaders per scheme over a 1 KB JSON body: `bun bench/signing.ts [iterations]`.
// Signing runs on every delivery attempt, so this is the per-attempt CPU cost of the signature alone.

import type { SignInput, SigningConfig } from "../src/signing";
import { generateEd25519SecretKey, generateSecret, signatureHeaders, signerFromSecretKey } from "../src/signing";

const ITERATIONS = Number(process.argv[2] ?? 20_000);
const WARMUP = 2_000;

function jsonBody(size: number): string {
  const envelope = {
    id: "evt_01JXAMPLE",
    type: "invoice.paid",
    timestamp: new Date(0).toISOString(),
    tenant_id: "t_1",
  };
  const filler = size - JSON.stringify({ ...envelope, data: { note: "" } }).length;
  return JSON.stringify({ ...envelope, data: { note: "x".repeat(filler) } });
}

const body = jsonBody(1024);
const signer = signerFromSecretKey(generateEd25519SecretKey());
const current = generateSecret();
const previous = generateSecret();

const cases: Array<[label: string, config: SigningConfig, secrets: string[]]> = [
  ["standard-webhooks", { scheme: "standard-webhooks" }, [current]],
  ["standard-webhooks, 2 secrets (rotation)", { scheme: "standard-webhooks" }, [current, previous]],
  ["standard-webhooks + v1a (asymmetric)", { scheme: "standard-webhooks", asymmetric: true }, [current]],
  ["hmac-sha256", { scheme: "hmac-sha256" }, [current]],
  ["timestamped-hmac", { scheme: "timestamped-hmac" }, [current]],
  ["timestamped-hmac, 2 secrets (rotation)", { scheme: "timestamped-hmac" }, [current, previous]],
  ["ed25519", { scheme: "ed25519" }, []],
];

function run(config: SigningConfig, secrets: string[], iterations: number): number {
  const input: SignInput = { id: "evt_01JXAMPLE", eventType: "invoice.paid", timestampMs: 0, body, secrets, signer };
  let sink = 0;
  const start = Bun.nanoseconds();
  for (let i = 0; i < iterations; i++) {
    input.timestampMs = Date.now();
    sink += Object.keys(signatureHeaders(config, input)).length;
  }
  const elapsed = Bun.nanoseconds() - start;
  if (sink === 0) throw new Error("unreachable: keeps the loop from being optimised away");
  return elapsed / iterations / 1000;
}

console.log(
  `bun ${Bun.version}, ${process.platform}/${process.arch}, body ${Buffer.byteLength(body)} bytes, ` +
    `${ITERATIONS} iterations after ${WARMUP} warm-up\n`,
);
console.log("| scheme | µs/signature | signatures/s |");
console.log("|---|---:|---:|");
for (const [label, config, secrets] of cases) {
  run(config, secrets, WARMUP);
  const micros = run(config, secrets, ITERATIONS);
  console.log(`| ${label} | ${micros.toFixed(2)} | ${Math.round(1_000_000 / micros).toLocaleString("en-US")} |`);
}
