// SSRF guard at delivery time: resolve the host, refuse if any address is in a blocked range, and connect
// to the address that was checked (so a DNS answer that changes between check and connect cannot win).
import { type AddressPolicy, blockedReason, parseAddress, parseHostAddress } from "../lib/net.ts";
import type { AttemptError } from "./retry-policy.ts";

/** Resolves a host name to IP addresses (injectable so tests can simulate DNS rebinding). */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await Bun.dns.lookup(host, {})).map((r) => r.address);

export interface Guard {
  policy: AddressPolicy;
  resolve: Resolver;
}

/** Where to connect: the checked address, with the original host for the Host header and TLS name. */
export type Target =
  | { ok: true; url: string; hostHeader: string | null; serverName: string | null }
  | { ok: false; error: AttemptError };

const INVALID = "invalid";
const CACHE_LIMIT = 10_000;
const literalVerdicts = new WeakMap<AddressPolicy, Map<string, Target>>();
const addressVerdicts = new WeakMap<AddressPolicy, Map<string, string | null>>();

function remember(policy: AddressPolicy, url: string, target: Target): Target {
  let cache = literalVerdicts.get(policy);
  if (!cache) {
    cache = new Map();
    literalVerdicts.set(policy, cache);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(url, target);
  return target;
}

/** Why a resolved address is blocked (null when allowed, `invalid` when unparsable), cached per policy. */
function addressVerdict(address: string, policy: AddressPolicy): string | null {
  let cache = addressVerdicts.get(policy);
  if (!cache) {
    cache = new Map();
    addressVerdicts.set(policy, cache);
  }
  let verdict = cache.get(address);
  if (verdict === undefined) {
    const parsed = parseAddress(address);
    verdict = parsed ? blockedReason(parsed, policy) : INVALID;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(address, verdict);
  }
  return verdict;
}

const blocked = (host: string, address: string, reason: string): Target => ({
  ok: false,
  error: {
    kind: "blocked_address",
    message: `${host} resolves to ${address}, a ${reason} address; refused (see security.allow_private_networks / allowed_cidrs)`,
  },
});

/** A request ready for fetch: the URL, headers and TLS options to connect to the checked address. */
export type Connection =
  | { ok: true; url: string; headers: Record<string, string>; tls?: { serverName: string } }
  | { ok: false; error: AttemptError };

/**
 * Where to connect for `url` under the guard: the checked address, with the original name in the Host header
 * (and as the TLS server name, so the certificate is verified against it). Without a guard, the URL as is.
 */
export async function connectionFor(
  url: string,
  headers: Record<string, string>,
  guard: Guard | undefined,
  signal?: AbortSignal,
): Promise<Connection> {
  if (!guard) return { ok: true, url, headers };
  const target = await resolveTarget(url, guard, signal);
  if (!target.ok) return target;
  return {
    ok: true,
    url: target.url,
    headers: target.hostHeader ? { ...headers, host: target.hostHeader } : headers,
    ...(target.serverName ? { tls: { serverName: target.serverName } } : {}),
  };
}

/** Resolves with `work`, or null once `signal` aborts (the listener is removed either way). */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Checks every address `url`'s host resolves to and returns the URL rewritten to the first checked address
 * (IPv4 preferred). Literal IP URLs are checked as they are. Never throws.
 */
export async function resolveTarget(url: string, guard: Guard, signal?: AbortSignal): Promise<Target> {
  // The verdict for a literal-IP URL never changes under one policy: remember it (checking costs ~40 µs).
  const known = literalVerdicts.get(guard.policy)?.get(url);
  if (known) return known;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: { kind: "network_error", message: "invalid URL" } };
  }
  const host = parsed.hostname;
  const literal = parseHostAddress(host);
  if (literal) {
    const reason = blockedReason(literal, guard.policy);
    return remember(
      guard.policy,
      url,
      reason ? blocked(host, host, reason) : { ok: true, url, hostHeader: null, serverName: null },
    );
  }
  let addresses: string[] | null;
  try {
    addresses = await withDeadline(guard.resolve(host), signal);
  } catch (e) {
    return { ok: false, error: { kind: "dns_error", message: `cannot resolve ${host}: ${(e as Error).message}` } };
  }
  if (addresses === null) return { ok: false, error: { kind: "timeout", message: `${host} did not resolve in time` } };
  if (addresses.length === 0) return { ok: false, error: { kind: "dns_error", message: `${host} has no addresses` } };
  for (const a of addresses) {
    const reason = addressVerdict(a, guard.policy);
    if (reason === INVALID)
      return { ok: false, error: { kind: "dns_error", message: `${host} resolved to an invalid address` } };
    if (reason) return blocked(host, a, reason);
  }
  const chosen = addresses.find((a) => !a.includes(":")) ?? addresses[0]!;
  const hostHeader = parsed.host;
  parsed.hostname = chosen.includes(":") ? `[${chosen}]` : chosen;
  return { ok: true, url: parsed.toString(), hostHeader, serverName: parsed.protocol === "https:" ? host : null };
}
