// The publish command and its receipt: what the API asks ingest for and gets back, and what is stored with an
// idempotency key to answer a repeat.

export interface PublishCommand {
  /** The tenant whose endpoints receive it (resolved by the API from the key and the request). */
  tenantId: string;
  type: string;
  data: unknown;
  idempotencyKey: string | null;
  /** Only these endpoints (they must exist in the tenant). */
  endpointIds?: readonly string[];
  /**
   * Also deliver once to this URL: signed with the gateway Ed25519 key, or like `likeEndpointId` (an endpoint of
   * the tenant: its secret, signing, headers, auth, transform and timeout). `field` names it in problems:
   * `target` as sent, or `target_url` (the shorthand).
   */
  target?: { url: string; likeEndpointId?: string; field: "target" | "target_url" };
  /** Wait for the first attempt of each delivery (bounded by the endpoints' timeouts). */
  wait?: boolean;
}

export interface ReceiptDelivery {
  id: string;
  endpoint_id: string | null;
  status: string;
  http_status?: number | null;
  response_time_ms?: number | null;
  error?: string | null;
  /** First 4 KiB of the receiver's answer (`?wait=true`). */
  response_body?: string | null;
  response_body_encoding?: "utf8" | "base64" | null;
}

/** What a publish answers, and what is stored with its idempotency key to answer a repeat. */
export interface PublishReceipt {
  id: string;
  type: string;
  tenant_id: string;
  created_at: string;
  deliveries: ReceiptDelivery[];
}

export interface PublishResult {
  /** True when an earlier event with the same idempotency key answered. */
  replayed: boolean;
  receipt: PublishReceipt;
}
