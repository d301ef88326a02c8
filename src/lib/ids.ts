// Prefixed, time-ordered identifiers: a UUIDv7 written in Crockford base32 (26 chars, sorts by creation time).
import { randomUUIDv7 } from "bun";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const CODES = [...ALPHABET].map((c) => c.charCodeAt(0));

export type IdPrefix = "ep" | "evt" | "dlv" | "att" | "key" | "req";

/** Encodes 16 bytes as 26 lowercase Crockford base32 characters; lexical order equals byte order. */
function base32(bytes: Uint8Array): string {
  const out = new Array<number>(26);
  // 128 bits → 26 chars: 2 leading zero bits keep the order.
  let acc = 0;
  let bits = 2;
  let o = 0;
  for (let i = 0; i < 16; i++) {
    acc = ((acc << 8) | bytes[i]!) >>> 0;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[o++] = CODES[(acc >>> bits) & 31]!;
    }
    acc &= (1 << bits) - 1;
  }
  return String.fromCharCode.apply(null, out);
}

/** A new id such as `evt_01jd3…`; ids made later in this process sort after earlier ones. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${base32(randomUUIDv7("buffer"))}`;
}

const ID_BODY = /^[0-9a-z]{26}$/;

/** True when `value` looks like an id of that prefix (used to answer 404 early on junk ids). */
export function isId(prefix: IdPrefix, value: string): boolean {
  return (
    value.length === prefix.length + 27 &&
    value.startsWith(`${prefix}_`) &&
    ID_BODY.test(value.slice(prefix.length + 1))
  );
}
