// Which addresses a webhook may reach (SSRF guard), shared by URL validation and the sender.
import { describe, expect, it } from "bun:test";
import { type AddressPolicy, blockedReason, isValidCidr, parseCidrs, parseHostAddress } from "../../src/lib/net.ts";

const strict: AddressPolicy = { allowPrivate: false, allowedCidrs: [] };
const lenient: AddressPolicy = { allowPrivate: true, allowedCidrs: [] };
const reason = (host: string, policy = strict) => blockedReason(parseHostAddress(host)!, policy);

describe("address policy", () => {
  it("allows public addresses", () => {
    expect(reason("93.184.216.34")).toBeNull();
    expect(reason("[2606:2800:220:1:248:1893:25c8:1946]")).toBeNull();
  });

  it("blocks private, loopback, link-local, CGNAT, ULA, multicast and unspecified ranges", () => {
    expect(reason("10.1.2.3")).toBe("private");
    expect(reason("192.168.0.1")).toBe("private");
    expect(reason("172.16.5.4")).toBe("private");
    expect(reason("127.0.0.1")).toBe("loopback");
    expect(reason("169.254.1.1")).toBe("linkLocal");
    expect(reason("100.64.0.1")).toBe("carrierGradeNat");
    expect(reason("[::1]")).toBe("loopback");
    expect(reason("[fd12:3456::1]")).toBe("uniqueLocal");
    expect(reason("[fe80::1]")).toBe("linkLocal");
    expect(reason("224.0.0.1")).toBe("multicast");
    expect(reason("0.0.0.0")).toBe("unspecified");
  });

  it("judges IPv6 forms that embed an IPv4 address by that address", () => {
    expect(reason("[::ffff:127.0.0.1]")).toBe("loopback");
    expect(reason("[::ffff:10.0.0.1]")).toBe("private");
    expect(reason("[64:ff9b::a00:1]")).toBe("private");
    expect(reason("[2002:a00:1::]")).toBe("private");
    expect(reason("[::ffff:169.254.169.254]")).toBe("metadata");
  });

  it("always blocks cloud metadata addresses, even when private networks are allowed", () => {
    for (const host of ["169.254.169.254", "169.254.170.2", "100.100.100.200", "[fd00:ec2::254]"]) {
      expect(reason(host, lenient)).toBe("metadata");
      expect(
        reason(host, { allowPrivate: true, allowedCidrs: parseCidrs(["169.254.0.0/16", "100.64.0.0/10", "fd00::/8"]) }),
      ).toBe("metadata");
    }
  });

  it("allows private ranges with allowPrivate, but never multicast or unspecified", () => {
    expect(reason("10.1.2.3", lenient)).toBeNull();
    expect(reason("127.0.0.1", lenient)).toBeNull();
    expect(reason("224.0.0.1", lenient)).toBe("multicast");
    expect(reason("0.0.0.0", lenient)).toBe("unspecified");
  });

  it("allows exactly the allowed CIDRs", () => {
    const policy: AddressPolicy = { allowPrivate: false, allowedCidrs: parseCidrs(["10.1.0.0/16"]) };
    expect(reason("10.1.200.3", policy)).toBeNull();
    expect(reason("10.2.0.1", policy)).toBe("private");
  });

  it("parses only literal addresses, as URL normalises them", () => {
    expect(parseHostAddress("example.com")).toBeNull();
    expect(parseHostAddress(new URL("http://0x7f000001/").hostname)?.toString()).toBe("127.0.0.1");
    expect(parseHostAddress(new URL("http://2130706433/").hostname)?.toString()).toBe("127.0.0.1");
    expect(parseHostAddress("[::1]")?.toString()).toBe("::1");
  });

  it("validates CIDRs", () => {
    expect(isValidCidr("10.0.0.0/8")).toBe(true);
    expect(isValidCidr("fd00::/8")).toBe(true);
    expect(isValidCidr("10.0.0.0")).toBe(false);
    expect(isValidCidr("nope/8")).toBe(false);
  });
});
