// Numbers as the commands print them on their one line: sizes, durations, counts.

/** 12,345,678 bytes → "11.8 MiB". */
export function size(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** 1234.5 ms → "1.23 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** 100000 → "100,000". */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
