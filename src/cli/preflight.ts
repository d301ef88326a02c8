// Checks `serve` makes before it creates anything: is the port free, can the database and key files be created or
// opened. Each problem is one sentence naming the setting and the path, for a one-line `hookgate: …` exit.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

const SQLITE_HEADER = "SQLite format 3\0";

/** Why `host:port` cannot be listened on, or null when it can (the probe socket is closed again at once). */
export function listenProblem(host: string, port: number): string | null {
  try {
    Bun.serve({ hostname: host, port, fetch: () => new Response(null) }).stop(true);
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const where = `${host}:${port} (server.host, server.port)`;
    if (code === "EADDRINUSE")
      return `cannot listen on ${where}: the port is already in use; stop the other process or choose another port`;
    if (code === "EACCES") return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
    if (code === "EADDRNOTAVAIL") return `cannot listen on ${where}: no network interface has that address`;
    return `cannot listen on ${where}: ${(e as Error).message}`;
  }
}

/** The nearest existing ancestor directory of `path` (which may not exist yet), or a problem on the way. */
function existingParent(path: string): { dir: string } | { problem: string } {
  let dir = dirname(resolve(path));
  for (;;) {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) return { problem: `${dir} is not a directory` };
      return { dir };
    }
    const up = dirname(dir);
    if (up === dir) return { problem: `no part of its directory exists` };
    dir = up;
  }
}

const writable = (path: string) => {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Why the file at `path` (named by `setting`) cannot be created or opened for reading and writing, or null.
 * Creates nothing. With `sqlite`, an existing non-empty file must start with SQLite's header.
 */
export function fileProblem(path: string, setting: string, options: { sqlite?: boolean } = {}): string | null {
  const what = `${path} (${setting})`;
  const parent = existingParent(path);
  if ("problem" in parent) return `cannot create ${what}: ${parent.problem}`;
  if (!existsSync(path)) {
    if (!writable(parent.dir)) return `cannot create ${what}: directory ${parent.dir} is not writable`;
    return null;
  }
  const stat = statSync(path);
  if (stat.isDirectory()) return `cannot open ${what}: it is a directory`;
  if (!writable(path)) return `cannot open ${what}: it is not readable and writable by this user`;
  if (!writable(dirname(resolve(path))))
    return `cannot open ${what}: directory ${dirname(resolve(path))} is not writable (SQLite keeps its journal and lock files there)`;
  if (options.sqlite && stat.size > 0) {
    const head = Buffer.alloc(16);
    const fd = openSync(path, "r");
    try {
      readSync(fd, head, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
    if (head.toString("latin1") !== SQLITE_HEADER) return `cannot open ${what}: it is not a SQLite database`;
  }
  return null;
}

/** A one-line reason for an error thrown while opening the store or a key file (errno or SQLite), or null. */
export function openErrorReason(error: unknown): string | null {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e || typeof e.message !== "string") return null;
  if (typeof e.code === "string" && (/^E[A-Z]+$/.test(e.code) || e.code.startsWith("SQLITE_")))
    return e.message.split("\n")[0]!;
  if (e.name === "SQLiteError") return e.message.split("\n")[0]!;
  return null;
}
