// The config file watcher: edits in place and atomic replaces are reported; writes to other files in the same
// directory (the database and its WAL often live there) are not looked at.
import { afterEach, describe, expect, it } from "bun:test";
import { renameSync, writeFileSync } from "node:fs";
import { watchConfigFile } from "../../src/config/watch.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

let dir: TempDir;
let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  dir?.cleanup();
});

/** Resolves with the texts seen once `n` arrived, or after `ms`. */
function collect(seen: string[], n: number, ms: number): Promise<string[]> {
  return new Promise((resolve) => {
    const deadline = Date.now() + ms;
    const check = () => (seen.length >= n || Date.now() > deadline ? resolve(seen) : setTimeout(check, 10));
    check();
  });
}

describe("watchConfigFile", () => {
  it("reports an edit in place and then an atomic replace (write a temp file, rename it over)", async () => {
    dir = tempDir();
    const file = dir.file("hookgate.yaml");
    writeFileSync(file, "a: 1\n");
    const seen: string[] = [];
    stop = watchConfigFile(file, (text) => seen.push(text), 20);
    writeFileSync(file, "a: 2\n");
    expect(await collect(seen, 1, 3000)).toEqual(["a: 2\n"]);
    writeFileSync(dir.file(".hookgate.yaml.tmp"), "a: 3\n");
    renameSync(dir.file(".hookgate.yaml.tmp"), file);
    expect(await collect(seen, 2, 3000)).toEqual(["a: 2\n", "a: 3\n"]);
    // The replaced file is watched too.
    writeFileSync(file, "a: 4\n");
    expect(await collect(seen, 3, 3000)).toEqual(["a: 2\n", "a: 3\n", "a: 4\n"]);
  });

  it("reports nothing for writes to other files in its directory", async () => {
    dir = tempDir();
    const file = dir.file("hookgate.yaml");
    writeFileSync(file, "a: 1\n");
    const seen: string[] = [];
    stop = watchConfigFile(file, (text) => seen.push(text), 20);
    for (let i = 0; i < 50; i++) writeFileSync(dir.file("hookgate.db-wal"), `frame ${i}`);
    expect(await collect(seen, 1, 300)).toEqual([]);
  });
});
