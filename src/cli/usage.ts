// What `hookgate --help` and `hookgate <command> --help` print: the commands, their options and exit codes.
import { VERSION } from "../lib/version.ts";

const EXIT_CODES = "Exit codes: 0 ok, 1 runtime failure (port, database, keys), 2 bad usage or configuration.";

export const USAGE = `hookgate ${VERSION} — self-hosted webhook gateway

Usage:
  hookgate serve [--config FILE] [--dev]          run the gateway (config also from HOOKGATE_CONFIG)
  hookgate migrate [--config FILE]                bring the store's schema up to date and exit (no master key)
  hookgate check-config FILE [--dev]              validate a config file and exit (0 ok, 2 invalid)
  hookgate create-key --name NAME --scopes S1,S2 [--tenant T] [--expires ISO] [--config FILE]
                                                  create a scoped API key in the database and print it once
  hookgate backup --to PATH [--config FILE]       an online, consistent copy of the SQLite store (while it serves)
  hookgate copy-store --from STORE --to STORE [--config FILE]
                                                  copy everything into an empty store (SQLite path or postgres:// URL)
  hookgate export [--tenant T] [--env-file PATH] [--config FILE]
                                                  the API-managed event types and endpoints as config YAML
  hookgate version                                print the version
  hookgate <command> --help                       help on one command

--dev allows http:// and private addresses and, when no admin key is configured,
generates one and prints it once. Without --dev an admin key is required.
${EXIT_CODES}`;

/** Help for each command, printed by `hookgate <command> --help` (which then exits 0 and starts nothing). */
export const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: hookgate serve [--config FILE] [--dev]

Runs the gateway: the HTTP API (Swagger UI at /docs), the delivery engine and the config watcher.

  --config FILE   the YAML config (default: $HOOKGATE_CONFIG, else the built-in defaults)
  --dev           allow http:// and private-network endpoint URLs; without an admin key, generate one and
                  print it once (valid until restart)

Before anything is created, the port is checked to be free and the database and key paths to be usable;
a problem is one line on stderr. SIGTERM or SIGINT stops it gracefully (in-flight attempts finish, bounded
by delivery.timeout_ms + 5 s); SIGHUP re-reads the declared endpoints and event types.
${EXIT_CODES}`,
  migrate: `Usage: hookgate migrate [--config FILE]

Applies the store's pending schema migrations and exits (\`serve\` also migrates on start). With PostgreSQL
(storage.url) the migrations run under an advisory lock, so replicas starting together migrate once. Needs no
master key.

  --config FILE   the config whose storage.url or storage.path names the store (default: $HOOKGATE_CONFIG)
${EXIT_CODES}`,
  "check-config": `Usage: hookgate check-config FILE [--dev]

Validates a config file as \`serve\` would read it (environment variables interpolated) and exits: 0 when it
is valid, 2 listing every problem with its line. Touches no database.

  --dev   check it as \`serve --dev\` would: http:// and private-network endpoint URLs are accepted`,
  "create-key": `Usage: hookgate create-key --name NAME --scopes S1,S2 [--tenant T] [--expires ISO] [--config FILE]

Creates a scoped API key straight in the database (works while the gateway runs) and prints it once, as
JSON: {id, key, name, tenant_id, scopes}.

  --name NAME       a label for the key
  --scopes S1,S2    any of endpoints:read, endpoints:write, events:read, events:write, deliveries:read,
                    deliveries:write (admin keys come from the config file only)
  --tenant T        bind the key to one tenant
  --expires ISO     an expiry time, e.g. 2030-01-01T00:00:00Z
  --config FILE     the config whose storage.path holds the database (default: $HOOKGATE_CONFIG)
${EXIT_CODES}`,
  backup: `Usage: hookgate backup --to PATH [--config FILE]

Copies the SQLite store (storage.path) to PATH, a new file, while the gateway serves: one consistent snapshot
(SQLite's VACUUM INTO on a connection of its own; publishing goes on), written beside PATH and renamed into place
when complete, then integrity-checked. Prints one line with its size and time.

Restore: stop the gateway, put the copy at storage.path (or point storage.path at it) and start \`serve\` with the
same master key (HOOKGATE_MASTER_KEY, security.master_key_file or master.key beside the database) and the same
Ed25519 key file (signing.ed25519_key_file); keep both with the backups. With PostgreSQL (storage.url) the command
refuses: use pg_dump.

  --to PATH       the file to write (must not exist)
  --config FILE   the config whose storage.path is copied (default: $HOOKGATE_CONFIG)
${EXIT_CODES}`,
  "copy-store": `Usage: hookgate copy-store --from STORE --to STORE [--config FILE]

Copies everything — event types, endpoints (same ids, same encrypted secrets, rotation state), API keys, events
with their idempotency records, deliveries (leases cleared: what was in flight is pending again), attempts, the
master-key check and the Ed25519 key — from one store into an empty one. A store is a SQLite file path or a
postgres:// URL; SQLite → PostgreSQL, back, and alike all work. Both are migrated first.

The source must not be serving (a held SQLite lock, or connections of running replicas, refuse the copy), and the
target must be empty. A marker written into the target first and removed last makes an interrupted copy
refusable: no gateway starts on it and no copy writes into it; run again with --to an empty store.

Keys: the master key is the source's (HOOKGATE_MASTER_KEY, security.master_key_file, or master.key beside a SQLite
source; it is copied beside a SQLite target). The Ed25519 key moves between signing.ed25519_key_file (SQLite) and
the store (PostgreSQL): read from that file for a SQLite source, written to it for a SQLite target.

  --from STORE    the store to copy (a SQLite path or postgres://user:pass@host/db)
  --to STORE      the empty store to fill
  --config FILE   the config whose keys the copy uses (default: $HOOKGATE_CONFIG)
Progress goes to stderr on a long copy; one summary line to stdout.
${EXIT_CODES}`,
  export: `Usage: hookgate export [--tenant T] [--env-file PATH] [--config FILE]

Prints the event types and endpoints created over the API as YAML in the config file's format (the event_types
and endpoints sections, same ids), so they can be managed declaratively; YAML-declared ones are left out. Secrets
and credentials are \${ENV} placeholders named after the endpoint id (HOOKGATE_<ID>_SECRET, …); what YAML cannot
carry (rotated-out secrets in their grace period) is noted in comments. Needs the master key.

  --tenant T        only this tenant's endpoints
  --env-file PATH   write the placeholders' values there (mode 0600) as NAME=value lines
  --config FILE     the config whose store is read (default: $HOOKGATE_CONFIG)
${EXIT_CODES}`,
  version: `Usage: hookgate version

Prints the version (also: hookgate --version).`,
};
