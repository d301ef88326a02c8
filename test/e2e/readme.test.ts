// What the README tells a newcomer to run works as written: every YAML block passes `hookgate check-config`, the
// systemd unit passes `systemd-analyze verify`, and the Docker example keeps its master key and stops gracefully.
import { describe, expect, it } from "bun:test";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { testConfig } from "../helpers/config.ts";
import { tempDir } from "../helpers/temp.ts";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

/** The fenced code blocks of the README tagged `lang`, in order. */
const blocks = (lang: string) =>
  [...README.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((m) => m[1]!);

const SYSTEMD_ANALYZE = Bun.which("systemd-analyze");
if (!SYSTEMD_ANALYZE)
  console.warn("readme: the systemd unit check is skipped, no systemd-analyze (apt-get install -y systemd)");

describe("README", () => {
  it("has YAML blocks, and every one passes hookgate check-config (Compose and Litestream files parse as YAML)", () => {
    // A block that starts with `# docker-compose` or `# litestream` is another tool's file, not a hookgate config:
    // it must parse.
    const otherTool = (b: string) => b.startsWith("# docker-compose") || b.startsWith("# litestream");
    const others = blocks("yaml").filter(otherTool);
    expect(others.length).toBeGreaterThanOrEqual(2);
    for (const text of others) expect(() => Bun.YAML.parse(text)).not.toThrow();
    const yaml = blocks("yaml").filter((b) => !otherTool(b));
    expect(yaml.length).toBeGreaterThanOrEqual(2);
    const dir = tempDir();
    try {
      const failures: string[] = [];
      yaml.forEach((text, i) => {
        const file = dir.file(`block-${i}.yaml`);
        writeFileSync(file, text);
        // Every ${VAR} a block reads is set, as its reader would set it (24+ characters fits every key).
        const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
        for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)(?::-[^}]*)?\}/g))
          env[name!] = `${name}-value-0123456789abcdef`;
        const run = Bun.spawnSync([process.execPath, MAIN, "check-config", file], {
          env,
          stdout: "pipe",
          stderr: "pipe",
        });
        if (run.exitCode !== 0) failures.push(`block ${i + 1}:\n${text}\n→ ${run.stderr}`);
      });
      expect(failures).toEqual([]);
    } finally {
      dir.cleanup();
    }
  }, 30_000);

  it("keeps the systemd config under /etc with absolute paths", () => {
    const etc = blocks("yaml").find((b) => b.startsWith("# /etc/hookgate/hookgate.yaml"));
    expect(etc).toBeDefined();
    for (const [, path] of etc!.matchAll(/(?:path|file): ([^}\s,]+)/g)) expect(path).toStartWith("/var/lib/hookgate/");
  });

  it.skipIf(!SYSTEMD_ANALYZE)("has a systemd unit that systemd-analyze verify accepts without a warning", () => {
    const units = blocks("ini").filter((b) => b.includes("ExecStart=/usr/local/bin/hookgate serve"));
    expect(units).toHaveLength(1);
    const unit = units[0]!;
    expect(unit).toContain("ExecStart=/usr/local/bin/hookgate serve");
    expect(unit).toContain("Environment=HOOKGATE_CONFIG=/etc/hookgate/hookgate.yaml");
    expect(unit).toContain("User=hookgate");
    const dir = tempDir();
    try {
      // The binary is not installed on this machine: verify checks that ExecStart is executable, so it points at a
      // stand-in here; everything else is verified as written.
      const binary = dir.file("hookgate");
      writeFileSync(binary, "#!/bin/sh\n");
      chmodSync(binary, 0o755);
      writeFileSync(dir.file("hookgate.service"), unit.replace("/usr/local/bin/hookgate", binary));
      const run = Bun.spawnSync([SYSTEMD_ANALYZE!, "verify", "--man=no", dir.file("hookgate.service")], {
        stdout: "pipe",
        stderr: "pipe",
      });
      expect(`${run.stdout}${run.stderr}`).toBe("");
      expect(run.exitCode).toBe(0);
    } finally {
      dir.cleanup();
    }
  });

  it.skipIf(!SYSTEMD_ANALYZE)("has a backup service and timer that systemd-analyze verify accepts", () => {
    const named = (name: string) => blocks("ini").find((b) => b.startsWith(`# /etc/systemd/system/${name}\n`));
    const [service, timer] = [named("hookgate-backup.service"), named("hookgate-backup.timer")];
    expect(service).toContain("hookgate backup --config /etc/hookgate/hookgate.yaml --to ");
    expect(timer).toContain("OnCalendar=");
    const dir = tempDir();
    try {
      const binary = dir.file("hookgate");
      writeFileSync(binary, "#!/bin/sh\n");
      chmodSync(binary, 0o755);
      writeFileSync(dir.file("hookgate-backup.service"), service!.replaceAll("/usr/local/bin/hookgate", binary));
      writeFileSync(dir.file("hookgate-backup.timer"), timer!);
      const run = Bun.spawnSync(
        [
          SYSTEMD_ANALYZE!,
          "verify",
          "--man=no",
          dir.file("hookgate-backup.timer"),
          dir.file("hookgate-backup.service"),
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
      expect(`${run.stdout}${run.stderr}`).toBe("");
      expect(run.exitCode).toBe(0);
    } finally {
      dir.cleanup();
    }
  });

  it("gives the systemd unit a stop timeout above the shutdown bound", () => {
    const bound = testConfig().delivery.timeout_ms / 1000 + 5;
    const unit = blocks("ini").find((b) => b.includes("ExecStart=/usr/local/bin/hookgate serve"))!;
    const timeout = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
    expect(timeout).toBeGreaterThan(bound);
  });

  it("runs Docker with one master key kept across runs and a stop timeout above the shutdown bound", () => {
    const bound = testConfig().delivery.timeout_ms / 1000 + 5;
    const run = blocks("sh")
      .flatMap((b) => b.replace(/\\\n\s*/g, " ").split("\n"))
      .find((line) => line.startsWith("docker run"));
    expect(run).toBeDefined();
    // A key generated in the command line would be a new one on every run: the second start refuses.
    expect(run).not.toMatch(/HOOKGATE_MASTER_KEY=\$\(openssl/);
    expect(run).toContain("-v hookgate-data:/data");
    expect(Number(/--stop-timeout (\d+)/.exec(run!)?.[1])).toBeGreaterThan(bound);
  });
});
