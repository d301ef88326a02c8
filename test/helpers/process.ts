// Helpers for tests that run hookgate as a real process or server: free ports, polling, bounded stops.
import type { Subprocess } from "bun";

/** A TCP port on 127.0.0.1 that was free a moment ago (bound on port 0, then released). */
export function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(null) });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Calls `probe` every `intervalMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 100, what = "condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`,
      );
    await Bun.sleep(intervalMs);
  }
}

/** Polls `url` until it answers `status` (default 200); returns that response. */
export function waitForHttp(url: string, options: { status?: number; timeoutMs?: number } = {}): Promise<Response> {
  const status = options.status ?? 200;
  return waitFor(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === status) return res;
      await res.body?.cancel();
      return null;
    },
    { timeoutMs: options.timeoutMs, what: `${url} to answer ${status}` },
  );
}

/**
 * Stops a child process by its PID: SIGTERM, then SIGKILL if it has not exited within `graceMs`.
 * Resolves with its exit code (null when killed by a signal).
 */
export async function stopProcess(proc: Subprocess, graceMs = 5000): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  try {
    process.kill(proc.pid, "SIGTERM");
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(proc.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, graceMs);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a child's stream to text (for stdout/stderr piped by Bun.spawn). */
export async function streamText(stream: ReadableStream<Uint8Array> | number | undefined | null): Promise<string> {
  if (!stream || typeof stream === "number") return "";
  return new Response(stream).text();
}
