// Temporary directories for tests: real files under the OS temp dir, removed by cleanup().
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  /** Absolute path of the new, empty directory. */
  path: string;
  /** Joins `parts` onto the directory. */
  file(...parts: string[]): string;
  /** Removes the directory and everything in it; safe to call twice. */
  cleanup(): void;
}

/** A fresh empty directory such as /tmp/hookgate-test-AbC123. */
export function tempDir(prefix = "hookgate-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (...parts) => join(path, ...parts),
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}
