// The event types hookgate publishes about itself into the reserved tenant `_system` (operational webhooks): the
// catalog lists them with `source: system`, `_system` endpoints subscribe to them, the engine publishes them.
import type { DeclaredEventType } from "./spec.ts";

export const OPERATIONAL_TYPES = {
  endpointDisabled: "hookgate.endpoint.disabled",
  endpointEnabled: "hookgate.endpoint.enabled",
  circuitOpened: "hookgate.endpoint.circuit_opened",
  circuitClosed: "hookgate.endpoint.circuit_closed",
  deliveryExhausted: "hookgate.delivery.exhausted",
} as const;

export type OperationalType = (typeof OPERATIONAL_TYPES)[keyof typeof OPERATIONAL_TYPES];

/** Event type names starting with this are hookgate's own; the API and the config file cannot declare them. */
export const RESERVED_TYPE_PREFIX = "hookgate.";
export const RESERVED_TYPE_RULE = `names starting with "${RESERVED_TYPE_PREFIX}" are reserved for hookgate's operational events`;

const endpointExample = {
  tenant_id: "acme",
  endpoint_id: "ep_01jd3x2v7k8m9n0p1q2r3s4t5v",
  url: "https://acme.example/hooks",
};

/** The operational types as catalog entries: what each means and an example of its `data`. */
export const OPERATIONAL_EVENT_TYPES: readonly DeclaredEventType[] = [
  {
    name: OPERATIONAL_TYPES.endpointDisabled,
    description:
      "An endpoint was disabled: reason gone (its receiver answered 410), failing (no success for delivery.disable_after) or manual (API or config file).",
    schema: null,
    example: { ...endpointExample, reason: "gone" },
  },
  {
    name: OPERATIONAL_TYPES.endpointEnabled,
    description: "A disabled endpoint was enabled again (reason manual: API or config file).",
    schema: null,
    example: { ...endpointExample, reason: "manual" },
  },
  {
    name: OPERATIONAL_TYPES.circuitOpened,
    description:
      "An endpoint's circuit opened: its attempts kept timing out or failing to connect, so its deliveries wait for a probe.",
    schema: null,
    example: { ...endpointExample, reason: "unreachable", last_error: "timeout: the receiver did not answer in time" },
  },
  {
    name: OPERATIONAL_TYPES.circuitClosed,
    description: "An endpoint's circuit closed: it answers again and its waiting deliveries are due at once.",
    schema: null,
    example: { ...endpointExample, reason: "answered" },
  },
  {
    name: OPERATIONAL_TYPES.deliveryExhausted,
    description: "A delivery failed after its last scheduled retry (retries used up).",
    schema: null,
    example: {
      ...endpointExample,
      reason: "exhausted",
      delivery_id: "dlv_01jd3x2v7k8m9n0p1q2r3s4t5v",
      event_id: "evt_01jd3x2v7k8m9n0p1q2r3s4t5v",
      event_type: "run.completed",
      attempts: 8,
      last_error: "HTTP 500",
    },
  },
];

export const OPERATIONAL_TYPE_NAMES: ReadonlySet<string> = new Set(OPERATIONAL_EVENT_TYPES.map((t) => t.name));
