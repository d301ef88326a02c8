// What every command shares: its declared options parsed from argv, the one-line exit on a problem, and the
// errors an operator can act on (printed as their message alone).
import { StartupError } from "../gateway-keys.ts";
import {
  BackupError,
  InstanceLockedError,
  MasterKeyError,
  PgSchemaTooNewError,
  PostgresUnavailableError,
  SchemaTooNewError,
  StoreCopyError,
} from "../store/index.ts";
import { USAGE } from "./usage.ts";

export type Flags = Record<string, string | true>;

export interface ParsedArgs {
  positional: string[];
  flags: Flags;
}

/** A command: the options it takes (`valued` need a value, `switches` stand alone) and what it runs. */
export interface Command {
  valued: readonly string[];
  switches?: readonly string[];
  run(args: ParsedArgs): Promise<void> | void;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration. */
export function fail(message: string, code = 2): never {
  process.stderr.write(`hookgate: ${message}\n`);
  process.exit(code);
}

/** Parses `--name value`, `--name=value` and switches; an option the command does not take exits 2. */
export function parseArgs(argv: readonly string[], command: Pick<Command, "valued" | "switches">): ParsedArgs {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--([a-z][a-z-]*)(=(.*))?$/.exec(a);
    if (m && command.valued.includes(m[1]!)) {
      const v = m[2] ? m[3] : argv[++i];
      if (!v) fail(`--${m[1]} needs a value`);
      flags[m[1]!] = v;
    } else if (m && !m[2] && command.switches?.includes(m[1]!)) flags[m[1]!] = true;
    else if (a.startsWith("-")) fail(`unknown option ${a}\n\n${USAGE}`);
    else positional.push(a);
  }
  return { positional, flags };
}

/** The string value of an option, or undefined when it was not given. */
export function option(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === "string" ? v : undefined;
}

/** The value of an option the command cannot run without; exits 2 naming it (and an example) when missing. */
export function requireOption(flags: Flags, name: string, command: string, example: string): string {
  return option(flags, name) ?? fail(`${command} needs --${name} ${example}`);
}

/** Errors that stop a start or a command with their message alone (exit 1): the operator can act on it. */
const OPERATOR_ERRORS = [
  StartupError,
  MasterKeyError,
  SchemaTooNewError,
  PgSchemaTooNewError,
  InstanceLockedError,
  PostgresUnavailableError,
  StoreCopyError,
  BackupError,
];

export const isOperatorError = (e: unknown): e is Error => OPERATOR_ERRORS.some((type) => e instanceof type);
