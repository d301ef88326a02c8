// The rules of an endpoint's client certificate (`tls`, mutual TLS): PEM text that parses, a private key that
// matches the certificate, extra trusted roots that are certificates. Checked at save, so a delivery never finds out.
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { type Add, isObject } from "./field-rules.ts";
import { LIMITS, type TlsSpec } from "./spec.ts";

const TLS_FIELDS = ["client_cert", "client_key", "ca"];
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The certificates of a PEM text (each block a CERTIFICATE that parses), or null when it is not that. */
export function pemCertificates(text: string): X509Certificate[] | null {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0 || blocks.some((b) => b[1] !== "CERTIFICATE")) return null;
  // Anything but whitespace between or around the blocks is not PEM.
  if (text.replace(PEM_BLOCK, "").trim() !== "") return null;
  try {
    return blocks.map((b) => new X509Certificate(b[0]));
  } catch {
    return null;
  }
}

/** The private key of a PEM text, or why it cannot be used (never echoing the text). */
function privateKeyOf(text: string): KeyObject | string {
  try {
    return createPrivateKey({ key: text, format: "pem" });
  } catch (e) {
    return (e as { code?: string }).code === "ERR_MISSING_PASSPHRASE"
      ? "must be an unencrypted private key (hookgate encrypts it at rest itself)"
      : "must be a PEM private key (-----BEGIN PRIVATE KEY-----, or RSA / EC PRIVATE KEY)";
  }
}

/**
 * `tls: {client_cert, client_key, ca?}`: the client certificate (optionally followed by its chain) with the private
 * key that matches it, and optional extra trusted roots for the receiver. Problems name `tls.client_cert` and so on.
 */
export function checkTls(value: unknown, add: Add): TlsSpec | undefined {
  if (!isObject(value)) return void add("tls", "must be an object {client_cert, client_key, ca?} of PEM text");
  let ok = true;
  const bad = (field: string, message: string) => {
    add(`tls.${field}`, message);
    ok = false;
  };
  for (const k of Object.keys(value)) if (!TLS_FIELDS.includes(k)) bad(k, "unknown field");
  const text = (field: string, max: number, required: boolean): string | undefined => {
    const v = value[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || v.trim() === "") return void bad(field, "must be PEM text");
    if (v.length > max) return void bad(field, `must be at most ${max} characters`);
    return v;
  };
  const cert = text("client_cert", LIMITS.tls.clientCert, true);
  const key = text("client_key", LIMITS.tls.clientKey, true);
  const ca = value.ca === null ? undefined : text("ca", LIMITS.tls.ca, false);
  const chain = cert === undefined ? null : pemCertificates(cert);
  if (cert !== undefined && !chain)
    bad("client_cert", "must be a PEM certificate (-----BEGIN CERTIFICATE-----), optionally followed by its chain");
  const privateKey = key === undefined ? undefined : privateKeyOf(key);
  if (typeof privateKey === "string") bad("client_key", privateKey);
  else if (privateKey && chain && !chain[0]!.checkPrivateKey(privateKey))
    bad("client_key", "does not match the certificate in tls.client_cert");
  if (ca !== undefined && !pemCertificates(ca))
    bad("ca", "must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)");
  if (!ok || cert === undefined || key === undefined) return undefined;
  return ca === undefined ? { client_cert: cert, client_key: key } : { client_cert: cert, client_key: key, ca };
}
