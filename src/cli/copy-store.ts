// `hookgate copy-store`: every record of a store that is not serving copied into an empty one (SQLite ↔ PostgreSQL,
// or alike), with the keys carried into the target's form; progress on stderr, one summary line on stdout.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  acquireInstanceLock,
  type CopyProgress,
  copyRecords,
  describeCount,
  describePostgresUrl,
  type InstanceLock,
  InstanceLockedError,
  isPostgresUrl,
  openPostgresStore,
  openSqliteStore,
  RECORD_KINDS,
  type Store,
  StoreCopyError,
} from "../store/index.ts";
import { type Command, fail, requireOption } from "./args.ts";
import { configFile, orExit, readConfig } from "./config.ts";
import { count, seconds } from "./format.ts";
import { fileProblem } from "./preflight.ts";
import { checkMasterKey, planKeyMove, type StoreLocation, sourceMasterKey } from "./store-keys.ts";

/** The application_name of copy-store's PostgreSQL connections (a serving gateway's are "hookgate"). */
const APPLICATION = "hookgate copy-store";

function locate(text: string): StoreLocation {
  return isPostgresUrl(text)
    ? { kind: "postgres", url: text, name: describePostgresUrl(text) }
    : { kind: "sqlite", path: text };
}

const nameOf = (l: StoreLocation) => (l.kind === "sqlite" ? l.path : l.name);

interface Opened {
  store: Store;
  close(): Promise<void>;
}

/** Opens (and migrates) the store at `at`, holding the SQLite instance lock so that no gateway starts on it meanwhile. */
async function open(at: StoreLocation, role: "source" | "target", synchronous: "normal" | "full"): Promise<Opened> {
  if (at.kind === "postgres") {
    const store = await openPostgresStore({ url: at.url, poolSize: 4, applicationName: APPLICATION });
    const others = await store.otherGateways();
    if (others > 0) {
      await store.close();
      throw new StoreCopyError(
        `the ${role} ${at.name} is in use by ${others} connection(s) of a running hookgate; stop every replica before copying`,
      );
    }
    return { store, close: () => store.close() };
  }
  let lock: InstanceLock;
  try {
    lock = acquireInstanceLock(at.path);
  } catch (e) {
    if (!(e instanceof InstanceLockedError)) throw e;
    throw new StoreCopyError(
      `the ${role} ${at.path} is in use by a running hookgate (its lock ${at.path}-lock is held); stop that gateway before copying`,
    );
  }
  try {
    const store = openSqliteStore({ path: at.path, synchronous });
    return {
      store,
      async close() {
        await store.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Progress lines on stderr, once a copy has run for a second (a small store's copy prints none), at most 1/s. */
function progressPrinter(started: number): (p: CopyProgress) => void {
  let printed = started;
  return (p) => {
    const now = performance.now();
    if (now - started < 1000 || (now - printed < 1000 && p.done < p.total)) return;
    printed = now;
    const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
    process.stderr.write(`copy-store: ${describeCount(p.kind, p.done)} of ${count(p.total)} copied (${pct}%)\n`);
  };
}

export const copyStoreCommand: Command = {
  valued: ["config", "from", "to"],
  async run({ flags }) {
    const config = readConfig(configFile(flags), false);
    const from = locate(requireOption(flags, "from", "copy-store", "<sqlite path | postgres url>"));
    const to = locate(requireOption(flags, "to", "copy-store", "<postgres url | sqlite path>"));
    const same =
      nameOf(from) === nameOf(to) ||
      (from.kind === "sqlite" && to.kind === "sqlite" && resolve(from.path) === resolve(to.path));
    if (same) fail("--from and --to name the same store");
    if (from.kind === "sqlite" && !existsSync(from.path)) fail(`there is no database at ${from.path} (--from)`, 1);
    for (const [at, option] of [
      [from, "--from"],
      [to, "--to"],
    ] as const) {
      const problem = at.kind === "sqlite" ? fileProblem(at.path, option, { sqlite: true }) : null;
      if (problem) fail(problem, 1);
    }
    const master = await orExit(() => sourceMasterKey(config, from.kind === "sqlite" ? from.path : null));
    const started = performance.now();
    const source = await orExit(() => open(from, "source", config.storage.synchronous), `cannot open ${nameOf(from)}`);
    let target: Opened | null = null;
    try {
      target = await orExit(() => open(to, "target", config.storage.synchronous), `cannot open ${nameOf(to)}`);
      const t = target;
      await orExit(() => checkMasterKey(source.store, master));
      const keys = await orExit(() => planKeyMove(config, from, to, source.store, master));
      const copied = await orExit(() =>
        copyRecords(source.store, t.store, {
          from: nameOf(from),
          now: Date.now(),
          adjustMeta: keys.adjustMeta,
          onProgress: progressPrinter(started),
        }),
      );
      const notes = keys.finish();
      const ms = performance.now() - started;
      const total = RECORD_KINDS.reduce((n, k) => n + copied[k], 0);
      const what = RECORD_KINDS.filter((k) => k !== "meta")
        .map((k) => describeCount(k, copied[k]))
        .join(", ");
      process.stdout.write(
        `copy-store: ${nameOf(from)} → ${nameOf(to)}: ${what} in ${seconds(ms)} (${count(Math.round(total / (ms / 1000)))} records/s)${notes.length ? `; ${notes.join("; ")}` : ""}\n`,
      );
    } finally {
      await target?.close();
      await source.close();
    }
  },
};
