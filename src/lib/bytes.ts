// Byte helpers shared by request-body reading (api) and response capture (delivery).

/** Joins chunks into one array of `size` bytes (returns the only chunk as is). */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * The longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes (never splits a character), or `text`
 * itself when it fits.
 */
export function utf8Prefix(text: string, limit: number): string {
  // Every UTF-16 code unit is at most 3 UTF-8 bytes, so short strings fit without encoding.
  if (text.length * 3 <= limit) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.byteLength <= limit) return text;
  let end = limit;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
