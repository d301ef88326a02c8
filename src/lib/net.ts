// Address ranges a webhook must not reach by default (SSRF), shared by URL validation and the sender.
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Cloud metadata services: blocked even when private networks or extra CIDRs are allowed. */
const METADATA = [
  "169.254.169.254/32",
  "169.254.170.2/32",
  "fd00:ec2::254/128",
  "100.100.100.200/32",
  "192.0.0.192/32",
].map((c) => ipaddr.parseCIDR(c));

export interface AddressPolicy {
  /** Allow private, loopback, link-local, CGNAT and ULA ranges (dev mode, `security.allow_private_networks`). */
  allowPrivate: boolean;
  /** Extra ranges that are allowed even though they are not public (`security.allowed_cidrs`). */
  allowedCidrs: readonly [Address, number][];
}

export function parseCidrs(cidrs: readonly string[]): [Address, number][] {
  return cidrs.map((c) => ipaddr.parseCIDR(c));
}

export function isValidCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a URL hostname (as WHATWG `URL` normalises it: decimal, hex and octal IPv4 forms are already
 * dotted-quad; IPv6 comes in brackets) into an address, or null when it is a DNS name.
 */
export function parseHostAddress(hostname: string): Address | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (!ipaddr.isValid(bare)) return null;
  // ipaddr.isValid also accepts loose IPv4 forms; URL already normalised those, so parse strictly after it.
  try {
    return ipaddr.parse(bare);
  } catch {
    return null;
  }
}

/** The IPv4 address an IPv6 address embeds (mapped, NAT64, 6to4), so it is judged by its real range. */
function embeddedV4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = addr.range();
  const bytes = addr.toByteArray();
  if (range === "ipv4Mapped") return addr.toIPv4Address();
  if (range === "rfc6052" || range === "rfc6145") return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === "6to4") return new ipaddr.IPv4(bytes.slice(2, 6));
  // IPv4-compatible (deprecated ::a.b.c.d)
  if (bytes.slice(0, 12).every((b) => b === 0) && !(bytes[15]! <= 1 && bytes.slice(12, 15).every((b) => b === 0)))
    return new ipaddr.IPv4(bytes.slice(12, 16));
  return null;
}

function inAny(addr: Address, cidrs: readonly [Address, number][]): boolean {
  return cidrs.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net as never, bits));
}

/**
 * Why an address must not be contacted under `policy`, or null when it may be.
 * Reasons: `metadata`, or the ipaddr.js range name (`private`, `loopback`, `linkLocal`, …).
 */
export function blockedReason(address: Address, policy: AddressPolicy): string | null {
  let addr: Address = address;
  if (addr.kind() === "ipv6") {
    const v4 = embeddedV4(addr as ipaddr.IPv6);
    if (v4) addr = v4;
  }
  if (inAny(addr, METADATA) || inAny(address, METADATA)) return "metadata";
  const range = addr.range();
  if (range === "unicast") return null;
  if (inAny(addr, policy.allowedCidrs)) return null;
  if (policy.allowPrivate && range !== "unspecified" && range !== "broadcast" && range !== "multicast") return null;
  return range;
}

export function parseAddress(text: string): Address | null {
  try {
    return ipaddr.parse(text);
  } catch {
    return null;
  }
}
