// Watches the config file for edits (also editors that replace the file by rename) and reports new text.
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/**
 * Calls `onChange(text)` after the file at `path` changes, debounced by `debounceMs`. Watches the
 * directory, so atomic saves (write temp + rename) are seen. Returns a function that stops watching.
 */
export function watchConfigFile(path: string, onChange: (text: string) => void, debounceMs = 150): () => void {
  const full = resolve(path);
  const name = basename(full);
  let last = safeRead(full);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    const text = safeRead(full);
    if (text === null || text === last) return;
    last = text;
    onChange(text);
  };
  const watcher: FSWatcher = watch(dirname(full), { persistent: false }, (_event, file) => {
    if (file !== null && file !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  });
  // Some filesystems drop events; a slow poll makes sure an edit is noticed anyway.
  const poll = setInterval(fire, 1000);
  poll.unref?.();
  return () => {
    if (timer) clearTimeout(timer);
    clearInterval(poll);
    watcher.close();
  };
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
