// Reads JSON request bodies with a byte limit (also for chunked bodies without a length) and strict UTF-8.
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from "../lib/errors.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

function isJson(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLargeError(limit);
  // A declared length within the limit is read in one native call (the server holds the body to it);
  // chunked bodies without a length are streamed and cut at the limit.
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Parses the body of a POST/PUT/PATCH as JSON. An empty body is `undefined` (routes whose body is optional
 * accept it; others answer 400). Non-JSON content types → 415, over `limit` bytes → 413, bad JSON/UTF-8 → 400.
 */
export async function parseJsonBody(request: Request, limit: number): Promise<unknown> {
  const contentType = request.headers.get("content-type");
  const declared = request.headers.get("content-length");
  if (declared === "0" || (!request.body && declared === null)) return undefined;
  if (!isJson(contentType)) {
    if (!contentType && declared === null && !request.body) return undefined;
    throw new UnsupportedMediaTypeError();
  }
  const bytes = await readLimited(request, limit);
  if (bytes.byteLength === 0) return undefined;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ValidationError("The request body is not valid UTF-8.");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof RangeError) throw new ValidationError("The request body is nested too deeply.");
    throw new ValidationError(`The request body is not valid JSON: ${(e as Error).message}.`);
  }
}
