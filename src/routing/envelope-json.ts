// The envelope as JSON text, for the sandbox workers: made once per envelope object however many endpoints'
// filters and transforms evaluate it.

const texts = new WeakMap<object, string>();

/** `JSON.stringify(envelope)`, remembered per envelope object. */
export function envelopeJson(envelope: unknown): string {
  if (envelope === null || typeof envelope !== "object") return JSON.stringify(envelope) ?? "null";
  let text = texts.get(envelope);
  if (text === undefined) {
    text = JSON.stringify(envelope);
    texts.set(envelope, text);
  }
  return text;
}
