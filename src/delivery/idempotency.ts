// What is stored with an idempotency key, and how a repeat is answered: the receipt of the first publish with a
// fingerprint of its request, so a repeat with a different request is refused (409 idempotency_key_reused, as
// Stripe does) instead of silently answering the first event.
import { ConflictError } from "../lib/errors.ts";
import type { DeliveryRecord } from "../store/index.ts";
import type { PublishCommand, PublishReceipt } from "./publish.ts";

/** The parts of a publish that make it "the same request": not the tenant (the key's scope) nor `wait`. */
type RequestShape = Pick<PublishCommand, "type" | "data" | "endpointIds"> & {
  target?: Pick<NonNullable<PublishCommand["target"]>, "url" | "likeEndpointId">;
};

interface Sealed {
  receipt: PublishReceipt;
  fingerprint: string;
}

/**
 * A SHA-256 over the request's canonical JSON (the body as parsed, so key order counts as sent). `dataJson` is
 * `shape.data` as JSON text when the caller has made it already (the same text JSON.stringify would give).
 */
export function fingerprintOf(shape: RequestShape, dataJson = JSON.stringify(shape.data) ?? "null"): string {
  const target = shape.target ? [shape.target.url, shape.target.likeEndpointId ?? null] : null;
  const canonical = `[${JSON.stringify(shape.type)},${dataJson},${JSON.stringify([shape.endpointIds ?? null, target]).slice(1)}`;
  return new Bun.CryptoHasher("sha256").update(canonical).digest("base64url");
}

/** The text stored with the key. */
export function seal(receipt: PublishReceipt, fingerprint: string): string {
  return JSON.stringify({ receipt, fingerprint } satisfies Sealed);
}

/**
 * The first publish's receipt for a repeat, with each delivery's current status (`deliveriesOf` the receipt's
 * event). Throws ConflictError (`idempotency_key_reused`) when the repeat's request differs. Records written before
 * fingerprints existed hold the bare receipt and are answered as they are.
 */
export async function replayReceipt(
  stored: string,
  fingerprint: string,
  deliveriesOf: (eventId: string) => Promise<readonly Pick<DeliveryRecord, "id" | "status">[]>,
): Promise<PublishReceipt> {
  const parsed = JSON.parse(stored) as Sealed | PublishReceipt;
  const sealed = "fingerprint" in parsed ? parsed : null;
  if (sealed && sealed.fingerprint !== fingerprint) {
    throw new ConflictError(
      "This Idempotency-Key was already used with a different request (type, data, endpoint_ids or target); use a new key for a new event.",
      "idempotency_key_reused",
    );
  }
  const receipt = sealed ? sealed.receipt : (parsed as PublishReceipt);
  const now = new Map((await deliveriesOf(receipt.id)).map((d) => [d.id, d.status]));
  return {
    ...receipt,
    deliveries: receipt.deliveries.map(({ id, endpoint_id, status }) => ({
      id,
      endpoint_id,
      status: now.get(id) ?? status,
    })),
  };
}
