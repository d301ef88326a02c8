// What `hookgate --help` and `hookgate <command> --help` print: the commands, their options and exit codes.
import { VERSION } from "./lib/version.ts";

const EXIT_CODES = "Exit codes: 0 ok, 1 runtime failure (port, database, keys), 2 bad usage or configuration.";

export const USAGE = `hookgate ${VERSION} — self-hosted webhook gateway

Usage:
  hookgate serve [--config FILE] [--dev]          run the gateway (config also from HOOKGATE_CONFIG)
  hookgate migrate [--config FILE]                bring the store's schema up to date and exit (no master key)
  hookgate check-config FILE [--dev]              validate a config file and exit (0 ok, 2 invalid)
  hookgate create-key --name NAME --scopes S1,S2 [--tenant T] [--expires ISO] [--config FILE]
                                                  create a scoped API key in the database and print it once
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
  version: `Usage: hookgate version

Prints the version (also: hookgate --version).`,
};
