// The command line: create-key writes a working scoped key into the database and prints it once.
import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { buildTestApp } from "../helpers/app.ts";
import { json } from "../helpers/http.ts";
import { tempDir } from "../helpers/temp.ts";

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

describe("hookgate create-key", () => {
  it("creates a scoped, tenant-bound key the gateway accepts", async () => {
    const dir = tempDir();
    try {
      writeFileSync(dir.file("c.yaml"), `storage: {path: ${dir.file("hookgate.db")}}\n`);
      const run = Bun.spawnSync(
        [
          process.execPath,
          MAIN,
          "create-key",
          "--config",
          dir.file("c.yaml"),
          "--name",
          "ci",
          "--scopes",
          "endpoints:read",
          "--tenant",
          "acme",
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
      expect(run.exitCode).toBe(0);
      const out = JSON.parse(run.stdout.toString());
      expect(out).toMatchObject({ name: "ci", tenant_id: "acme", scopes: ["endpoints:read"] });
      expect(out.key).toMatch(/^hg_[A-Za-z0-9_-]{43}$/);
      const t = await buildTestApp({ dir });
      try {
        expect((await json(t.app, "GET", "/v1/endpoints", { key: out.key })).status).toBe(200);
        expect(
          (
            await json(t.app, "POST", "/v1/endpoints", {
              key: out.key,
              body: { url: "https://a.example.com", events: ["*"] },
            })
          ).status,
        ).toBe(403);
      } finally {
        await t.cleanup();
      }
    } finally {
      dir.cleanup();
    }
  });

  it("refuses the admin scope and unknown scopes with exit code 2", () => {
    const dir = tempDir();
    try {
      writeFileSync(dir.file("c.yaml"), `storage: {path: ${dir.file("hookgate.db")}}\n`);
      const run = Bun.spawnSync(
        [process.execPath, MAIN, "create-key", "--config", dir.file("c.yaml"), "--name", "x", "--scopes", "admin,nope"],
        { stdout: "pipe", stderr: "pipe" },
      );
      expect(run.exitCode).toBe(2);
      expect(run.stderr.toString()).toContain("not grantable scope(s): admin, nope");
    } finally {
      dir.cleanup();
    }
  });
});
