// How a replica follows the others on a shared store: endpoint and event-type changes reload what changed in the
// registry and catalog (one reload at a time, in the order heard), due wake-ups reach the scheduler, and a resync
// (signals possibly missed) reloads everything.
import type { DeliveryEngine } from "./delivery/engine.ts";
import type { EventCatalog } from "./endpoints/catalog.ts";
import type { EndpointRegistry } from "./endpoints/registry.ts";
import type { Logger } from "./lib/logger.ts";
import type { Cluster } from "./store/index.ts";

export interface Following {
  /** The engine to wake once it exists (signals before that only reload). */
  engine(engine: DeliveryEngine): void;
  stop(): void;
}

export function followCluster(
  cluster: Cluster,
  d: { registry: Pick<EndpointRegistry, "refresh" | "load">; catalog: Pick<EventCatalog, "load">; logger: Logger },
): Following {
  let engine: DeliveryEngine | null = null;
  let reloads: Promise<void> = Promise.resolve();
  // Reloads read the store; run them one after another so a later signal's read is applied after an earlier one's.
  const serially = (what: string, fn: () => Promise<void>) => {
    reloads = reloads.then(fn).catch((error) => d.logger.error(`cluster: reloading ${what} failed`, { error }));
  };
  const unsubscribe = cluster.subscribe((signal) => {
    switch (signal.kind) {
      case "due":
        engine?.wake(signal.at);
        break;
      case "endpoint":
        serially(`endpoint ${signal.id}`, () => d.registry.refresh(signal.id));
        break;
      case "event_type":
        serially("event types", () => d.catalog.load());
        break;
      case "resync":
        serially("endpoints and event types", async () => {
          await d.catalog.load();
          await d.registry.load();
        });
        void engine?.poll();
        break;
    }
  });
  return {
    engine(e) {
      engine = e;
    },
    stop: unsubscribe,
  };
}
