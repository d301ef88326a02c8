// Structured logs: one JSON line per event on stdout, buffered so access logs stay cheap under load.
import { writeSync } from "node:fs";

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values are never written, whatever the caller passes. */
const SECRET_FIELD = /secret|password|token|authorization|api_?key|^key$|credential|master/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  flush(): void;
}

export type LineSink = (line: string) => void;

function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 4) return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

/** A logger writing to `sink` (default: buffered stdout). Fields named like secrets are redacted. */
export function createLogger(options: { level?: LogLevel; sink?: LineSink } = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const stdout = options.sink ? null : new BufferedStdout();
  const sink: LineSink = options.sink ?? ((line) => stdout!.write(line));
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    const record = { time: new Date().toISOString(), level, msg, ...(fields ? (redact(fields) as object) : {}) };
    sink(JSON.stringify(record));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    flush: () => stdout?.flush(),
  };
}

/** A logger that keeps lines in memory (tests read them). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger({ level: "debug", sink: (l) => lines.push(l) }), { lines });
}

export const silentLogger: Logger = createLogger({ sink: () => {} });

class BufferedStdout {
  private chunks: string[] = [];
  private size = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  write(line: string): void {
    this.chunks.push(line, "\n");
    this.size += line.length + 1;
    if (this.size >= 64 * 1024) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), 50);
      this.timer.unref?.();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.chunks.length === 0) return;
    const text = this.chunks.join("");
    this.chunks = [];
    this.size = 0;
    try {
      writeSync(1, text);
    } catch {
      // stdout closed (EPIPE): nothing sensible to do with a log line.
    }
  }
}
