// The gateway Ed25519 key: parsing both key forms, and the key file's create/load/permission rules.
import { afterAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateEd25519SecretKey, loadOrCreateEd25519Key, signerFromSecretKey } from "../../src/signing";

/** Seed 0x00..0x1f, in both forms; public key and key id computed with openssl. */
const WHSK = "whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
-----END PRIVATE KEY-----
`;
const PUBLIC_KEY = "whpk_A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
const PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=
-----END PUBLIC KEY-----
`;
const KEY_ID = "ed25519_56475aa75463474c";

const dir = mkdtempSync(join(tmpdir(), "hookgate-ed25519-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("signerFromSecretKey", () => {
  it("loads the whsk_ form and derives the public key and key id", () => {
    const signer = signerFromSecretKey(WHSK);
    expect(signer.publicKey).toBe(PUBLIC_KEY);
    expect(signer.publicKeyPem).toBe(PUBLIC_KEY_PEM);
    expect(signer.keyId).toBe(KEY_ID);
  });

  it("loads the PKCS#8 PEM form of the same key", () => {
    const signer = signerFromSecretKey(PEM);
    expect(signer.keyId).toBe(KEY_ID);
    expect(signer.sign("hello")).toBe(signerFromSecretKey(WHSK).sign(new TextEncoder().encode("hello")));
  });

  it("rejects a seed of the wrong length and unknown formats", () => {
    expect(() => signerFromSecretKey("whsk_AAECAw==")).toThrow(/32/);
    expect(() => signerFromSecretKey("not a key")).toThrow(/PEM/);
  });

  it("generates fresh 32-byte whsk_ keys", () => {
    const key = generateEd25519SecretKey();
    expect(key).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(key).not.toBe(generateEd25519SecretKey());
    expect(signerFromSecretKey(key).publicKey).toMatch(/^whpk_/);
  });
});

describe("loadOrCreateEd25519Key", () => {
  it("creates the key file with mode 0600 (and its parent directory) when absent", () => {
    const path = join(dir, "nested", "gateway.key");
    const signer = loadOrCreateEd25519Key(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).toMatch(/^whsk_/);
    expect(signer.keyId).toMatch(/^ed25519_[0-9a-f]{16}$/);
  });

  it("loads the same key again with the same key id", () => {
    const path = join(dir, "reload.key");
    const first = loadOrCreateEd25519Key(path);
    const second = loadOrCreateEd25519Key(path);
    expect(second.keyId).toBe(first.keyId);
    expect(second.publicKey).toBe(first.publicKey);
  });

  it("loads existing files in whsk_ and PEM form", () => {
    for (const [name, text] of [
      ["whsk.key", `${WHSK}\n`],
      ["pem.key", PEM],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      expect(loadOrCreateEd25519Key(path).keyId).toBe(KEY_ID);
    }
  });

  it("refuses a key file readable by group or others", () => {
    const path = join(dir, "loose.key");
    writeFileSync(path, WHSK);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateEd25519Key(path)).toThrow(/0644.*group or others/);
  });

  it("names the file when its content is not a key", () => {
    const path = join(dir, "garbage.key");
    writeFileSync(path, "garbage", { mode: 0o600 });
    expect(() => loadOrCreateEd25519Key(path)).toThrow(path);
  });
});
