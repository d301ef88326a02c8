// Watches the config file for edits (also editors that replace the file by rename) and reports new text.
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { resolve } from "node:path";

/**
 * Calls `onChange(text)` after the file at `path` changes, debounced by `debounceMs`. Watches the file itself, not
 * its directory (which may hold the database: its WAL writes would wake the watcher thousands of times a second).
 * An atomic save (write a temp file, rename it over) replaces the watched file, so the watch is set again on the
 * path after every change; a slow poll catches what a filesystem does not report. Returns a function that stops.
 */
export function watchConfigFile(path: string, onChange: (text: string) => void, debounceMs = 150): () => void {
  const full = resolve(path);
  let last = safeRead(full);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let watcher: FSWatcher | null = null;
  let stopped = false;
  const arm = () => {
    watcher?.close();
    watcher = null;
    if (stopped) return;
    try {
      watcher = watch(full, { persistent: false }, () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(fire, debounceMs);
      });
    } catch {
      // Missing for now (mid-replace, or removed): the poll sets the watch again once it is back.
    }
  };
  const fire = () => {
    timer = null;
    arm();
    const text = safeRead(full);
    if (text === null || text === last) return;
    last = text;
    onChange(text);
  };
  arm();
  const poll = setInterval(() => (watcher ? fire() : arm()), 1000);
  poll.unref?.();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    clearInterval(poll);
    watcher?.close();
  };
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
