// API-key authentication, scope checks declared on each route (the `scope` macro), and the one rule for which
// tenant a request acts on. Keys are compared as SHA-256 hashes in constant time.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import type { Clock } from "../lib/clock.ts";
import { newId } from "../lib/ids.ts";
import type { ApiKeyRecord, ApiKeyStore, Scope } from "../store/index.ts";
import { FailedAuthThrottle, UNKNOWN_ADDRESS } from "./auth-throttle.ts";
import { ForbiddenError, RateLimitedError, UnauthorizedError } from "./http-errors.ts";

export interface Principal {
  /** `key_…` for stored keys, `config:<n>` for the n-th admin key of the config file. */
  keyId: string;
  /** The only tenant this key may see, or null for all tenants. */
  tenantId: string | null;
  scopes: ReadonlySet<Scope>;
}

const ADMIN_SCOPES: ReadonlySet<Scope> = new Set<Scope>(["admin"]);

export function hashKey(key: string): string {
  return new Bun.CryptoHasher("sha256").update(key).digest("hex");
}

/** Stored keys are looked up at most this often per key (revocation through the API clears the cache). */
const CACHE_MS = 1000;

/** A new API key: `hg_` + 43 base64url characters (256 bits). */
export function generateApiKey(): string {
  return `hg_${randomBytes(32).toString("base64url")}`;
}

/** Makes and stores a new API key; returns the record and the key itself (shown once, stored as a hash). */
export async function issueApiKey(
  store: Pick<ApiKeyStore, "insertApiKey">,
  input: { name: string; tenant_id: string | null; scopes: Scope[]; expires_at: number | null; now: number },
): Promise<{ record: ApiKeyRecord; key: string }> {
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    id: newId("key"),
    hash: hashKey(key),
    prefix: key.slice(0, 8),
    name: input.name,
    tenant_id: input.tenant_id,
    scopes: input.scopes,
    expires_at: input.expires_at,
    revoked_at: null,
    created_at: input.now,
  };
  await store.insertApiKey(record);
  return { record, key };
}

export class Authenticator {
  private readonly adminHashes: Buffer[];
  private cache = new Map<string, { record: ApiKeyRecord | null; at: number }>();
  /** Principals already established for a request (the app authenticates once, before validation). */
  private byRequest = new WeakMap<Request, Principal>();
  /** Failed authentications per client address: past 30 in a minute, that address gets 429. */
  private readonly throttle: FailedAuthThrottle;

  constructor(
    adminKeys: readonly string[],
    private readonly store: Pick<ApiKeyStore, "apiKeyByHash">,
    private readonly clock: Clock,
  ) {
    this.adminHashes = adminKeys.map((k) => Buffer.from(hashKey(k), "hex"));
    this.throttle = new FailedAuthThrottle(30, 60_000, () => clock.now());
  }

  /** The principal behind an `Authorization: Bearer …` header; 401 when missing, unknown, expired or revoked. */
  async authenticate(authorization: string | null | undefined): Promise<Principal> {
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match) throw new UnauthorizedError();
    const hex = hashKey(match[1]!);
    const hash = Buffer.from(hex, "hex");
    let admin = -1;
    this.adminHashes.forEach((h, i) => {
      if (timingSafeEqual(h, hash)) admin = i;
    });
    if (admin >= 0) return { keyId: `config:${admin}`, tenantId: null, scopes: ADMIN_SCOPES };
    const record = await this.lookup(hex);
    if (!record || !timingSafeEqual(Buffer.from(record.hash, "hex"), hash))
      throw new UnauthorizedError("The API key is not valid.");
    if (record.revoked_at !== null) throw new UnauthorizedError("The API key has been revoked.");
    if (record.expires_at !== null && record.expires_at <= this.clock.now())
      throw new UnauthorizedError("The API key has expired.");
    return { keyId: record.id, tenantId: record.tenant_id, scopes: new Set(record.scopes) };
  }

  /** Forgets cached key lookups (after a key is created or revoked). */
  forget(): void {
    this.cache.clear();
  }

  private async lookup(hash: string): Promise<ApiKeyRecord | null> {
    const now = performance.now();
    const hit = this.cache.get(hash);
    if (hit && now - hit.at < CACHE_MS) return hit.record;
    const record = await this.store.apiKeyByHash(hash);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { record, at: now });
    return record;
  }

  /**
   * The principal of a request, authenticated once per request however often it is asked for. `address` is the
   * client's (null when the server cannot tell: those requests share one count); an address with 30 failed
   * authentications in the last minute is answered 429 before its key is looked at.
   */
  async principalOf(request: Request, address: string | null = null): Promise<Principal> {
    let principal = this.byRequest.get(request);
    if (!principal) {
      const from = address ?? UNKNOWN_ADDRESS;
      const wait = this.throttle.retryAfter(from);
      if (wait > 0) throw new RateLimitedError(wait);
      try {
        principal = await this.authenticate(request.headers.get("authorization"));
      } catch (err) {
        if (err instanceof UnauthorizedError) this.throttle.fail(from);
        throw err;
      }
      this.byRequest.set(request, principal);
    }
    return principal;
  }

  /** The principal of a request if it was authenticated (for the audit log); never authenticates. */
  knownPrincipal(request: Request): Principal | undefined {
    return this.byRequest.get(request);
  }

  /** Authenticates (a request, or an Authorization header) and checks one scope (admin satisfies every scope); 403 without it. */
  async require(who: Request | string | null | undefined, scope: Scope): Promise<Principal> {
    const principal = who instanceof Request ? await this.principalOf(who) : await this.authenticate(who);
    if (!principal.scopes.has("admin") && !principal.scopes.has(scope))
      throw new ForbiddenError(`This API key lacks the ${scope} scope.`);
    return principal;
  }
}

/**
 * The route policy: `{ scope: "endpoints:write" }` on a route authenticates the request (once; see app.ts),
 * refuses a key without that scope (403; `"any"`: any valid key) and hands the handler its `principal`. The scope
 * is also written into the route's OpenAPI operation as `x-required-scope`.
 */
export function routePolicy(auth: Authenticator) {
  return new Elysia({ name: "route-policy" }).macro({
    scope: (scope: Scope | "any") => ({
      detail: { "x-required-scope": scope } as Record<string, unknown>,
      resolve: async ({ request }: { request: Request }) => ({
        principal: scope === "any" ? await auth.principalOf(request) : await auth.require(request, scope),
      }),
    }),
  });
}

/**
 * The tenant a request acts on: a tenant key's own (asking for another is 403), else the requested one or
 * `default`. Reads never call this for another tenant's objects: they answer 404 (see canSee).
 */
export function actingTenant(p: Principal, requested: string | undefined): string {
  if (p.tenantId === null) return requested ?? "default";
  if (requested !== undefined && requested !== p.tenantId)
    throw new ForbiddenError(`This API key belongs to tenant ${p.tenantId}; it cannot act for tenant ${requested}.`);
  return p.tenantId;
}

/**
 * The tenant a list is limited to: a tenant key's own, else the requested one (undefined: all tenants).
 * Null when a tenant key asks for another tenant, whose objects it never sees: the list is empty.
 */
export function listTenant(p: Principal, requested: string | undefined): string | undefined | null {
  if (p.tenantId === null) return requested;
  return requested === undefined || requested === p.tenantId ? p.tenantId : null;
}

/** True when the principal may see an object of `tenantId`. */
export function canSee(p: Principal, tenantId: string): boolean {
  return p.tenantId === null || p.tenantId === tenantId;
}
