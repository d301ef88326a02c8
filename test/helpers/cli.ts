// Runs `hookgate <command>` as a real process (src/main.ts under this Bun), bounded in time, with a clean
// environment plus what the test passes: how the operator would run it.
import { stopProcess, streamText } from "./process.ts";

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hookgate ARGS` in `cwd`; killed after `timeoutMs` (default 60 s). Resolves when it exited. */
export async function runHookgate(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliRun> {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => void stopProcess(proc, 2000), options.timeoutMs ?? 60_000);
  try {
    const [stdout, stderr, code] = await Promise.all([streamText(proc.stdout), streamText(proc.stderr), proc.exited]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
