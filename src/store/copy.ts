// Copying every record of one store into another, empty one (`hookgate copy-store`), through the RecordStore part
// of the interface, so SQLite → PostgreSQL, back, and alike all take the same path. A marker written into the target
// first and removed last makes an interrupted copy refusable: no gateway starts on it, no copy writes into it.
import type { MetaStore, RecordStore } from "./store.ts";
import {
  type MetaRecord,
  RECORD_KINDS,
  type RecordKind,
  type RecordPage,
  type StoredDelivery,
  type StoreRecords,
} from "./types.ts";

/** The meta key of a copy in progress: `{from, started_at}` of the copy writing into this store. */
export const COPY_MARKER = "copy_in_progress";

export class StoreCopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreCopyError";
  }
}

type CopyStore = RecordStore & MetaStore;

/** Records per page; attempts carry up to 64 KiB of bodies each, so their pages are smaller. */
const PAGE: Record<RecordKind, number> = {
  meta: 1000,
  event_types: 1000,
  endpoints: 500,
  api_keys: 1000,
  events: 1000,
  deliveries: 1000,
  attempts: 250,
};

export interface CopyProgress {
  kind: RecordKind;
  done: number;
  total: number;
}

export interface CopyOptions {
  /** Where the records come from, recorded in the marker (a path or a URL without its password). */
  from: string;
  now: number;
  /**
   * The source's meta rows as the target must hold them (e.g. the Ed25519 key moved between a key file and the
   * store). The copy marker is never among them.
   */
  adjustMeta?: (records: MetaRecord[]) => MetaRecord[];
  onProgress?: (progress: CopyProgress) => void;
  /** Overrides the page sizes (tests use tiny pages to cross page boundaries). */
  pageSize?: number;
}

/**
 * Why the store is an interrupted copy (its marker's text), or null. A gateway refuses such a store: half of its
 * records are missing.
 */
export async function interruptedCopy(store: MetaStore): Promise<string | null> {
  const marker = await store.getMeta(COPY_MARKER);
  if (marker === null) return null;
  let what = marker;
  try {
    const m = JSON.parse(marker) as { from?: string; started_at?: number };
    what = `from ${m.from} started ${new Date(m.started_at ?? 0).toISOString()}`;
  } catch {
    // an unreadable marker still marks the store
  }
  return `it holds an interrupted copy-store (${what}) and is incomplete; run copy-store again with --to an empty store`;
}

/** Throws StoreCopyError when `store` is an interrupted copy (see interruptedCopy); `name` names it in the message. */
export async function refuseInterruptedCopy(store: MetaStore, name: string): Promise<void> {
  const why = await interruptedCopy(store);
  if (why) throw new StoreCopyError(`${name}: ${why}`);
}

/** Counts of each kind of record, e.g. for the refusal of a non-empty target. */
async function counts(store: RecordStore): Promise<Record<RecordKind, number>> {
  const out = {} as Record<RecordKind, number>;
  for (const kind of RECORD_KINDS) out[kind] = await store.countRecords(kind);
  return out;
}

/** What one record of each kind is called, singular and plural. */
const NOUNS: Record<RecordKind, [string, string]> = {
  meta: ["meta entry", "meta entries"],
  event_types: ["event type", "event types"],
  endpoints: ["endpoint", "endpoints"],
  api_keys: ["API key", "API keys"],
  events: ["event", "events"],
  deliveries: ["delivery", "deliveries"],
  attempts: ["attempt", "attempts"],
};

/** "1 endpoint", "100,000 events". */
export function describeCount(kind: RecordKind, n: number): string {
  return `${n.toLocaleString("en-US")} ${NOUNS[kind][n === 1 ? 0 : 1]}`;
}

const describeCounts = (c: Record<RecordKind, number>) =>
  RECORD_KINDS.filter((k) => c[k] > 0)
    .map((k) => describeCount(k, c[k]))
    .join(", ");

/**
 * A delivery as the target gets it: no lease (the replica or process that held it is not the target's); one
 * that was being attempted is pending again and due at once, as after a crash (at-least-once).
 */
function withoutLease(d: StoredDelivery, now: number): StoredDelivery {
  if (d.status !== "delivering") return d.lease_until === null ? d : { ...d, lease_until: null };
  return { ...d, status: "pending", lease_until: null, next_attempt_at: Math.min(d.next_attempt_at ?? now, now) };
}

/** Copies every record of one kind, page by page; returns how many. */
async function copyKind<K extends RecordKind>(
  source: CopyStore,
  target: CopyStore,
  kind: K,
  options: CopyOptions,
  total: number,
): Promise<number> {
  const limit = options.pageSize ?? PAGE[kind];
  let done = 0;
  let after: string | null = null;
  do {
    const page: RecordPage<K> = await source.readRecords(kind, after, limit);
    const records =
      kind === "deliveries"
        ? ((page.records as StoredDelivery[]).map((d) => withoutLease(d, options.now)) as StoreRecords[K][])
        : page.records;
    await target.writeRecords(kind, records);
    done += records.length;
    options.onProgress?.({ kind, done, total: Math.max(total, done) });
    after = page.next;
  } while (after !== null);
  return done;
}

/**
 * Copies every record of `source` into `target`, which must be empty (and migrated). Returns how many records of
 * each kind were copied. Throws StoreCopyError for a source or target it must not use.
 */
export async function copyRecords(
  source: CopyStore,
  target: CopyStore,
  options: CopyOptions,
): Promise<Record<RecordKind, number>> {
  await refuseInterruptedCopy(source, "the source");
  await refuseInterruptedCopy(target, "the target");
  const held = await counts(target);
  if (RECORD_KINDS.some((k) => held[k] > 0))
    throw new StoreCopyError(
      `the target is not empty (it holds ${describeCounts(held)}); copy-store writes only into an empty store`,
    );
  const totals = await counts(source);
  await target.putMeta(COPY_MARKER, JSON.stringify({ from: options.from, started_at: options.now }));
  try {
    const copied = await copyAll(source, target, options, totals);
    await target.deleteMeta(COPY_MARKER);
    return copied;
  } catch (e) {
    if (e instanceof StoreCopyError) throw e;
    throw new StoreCopyError(
      `the copy stopped: ${(e as Error).message.split("\n")[0]}; the target is marked as an interrupted copy (rerun with --to an empty store)`,
    );
  }
}

/** Copies every kind (after the marker was written) and checks the target's counts. */
async function copyAll(
  source: CopyStore,
  target: CopyStore,
  options: CopyOptions,
  totals: Record<RecordKind, number>,
): Promise<Record<RecordKind, number>> {
  const copied = Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as Record<RecordKind, number>;

  // Meta is a handful of rows: read whole, adjusted to the target's form, written at once.
  const meta: MetaRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: RecordPage<"meta"> = await source.readRecords("meta", cursor, PAGE.meta);
    meta.push(...page.records.filter((m) => m.key !== COPY_MARKER));
    cursor = page.next;
  } while (cursor !== null);
  const adjusted = options.adjustMeta ? options.adjustMeta(meta) : meta;
  await target.writeRecords("meta", adjusted);
  copied.meta = adjusted.length;
  options.onProgress?.({ kind: "meta", done: adjusted.length, total: adjusted.length });

  for (const kind of RECORD_KINDS) {
    if (kind === "meta") continue;
    copied[kind] = await copyKind(source, target, kind, options, totals[kind]);
  }

  // Nothing may be missing before the marker goes: the copy is checked against the target's own counts.
  const written = await counts(target);
  for (const kind of RECORD_KINDS) {
    const expected = copied[kind] + (kind === "meta" ? 1 : 0);
    if (written[kind] !== expected)
      throw new StoreCopyError(
        `the copy is incomplete: the target holds ${describeCount(kind, written[kind])} where ${expected} were written`,
      );
  }
  return copied;
}
