// What the API plugins are built from (the composition root fills it; tests build it over a temp database).
import type { Config } from "../config/index.ts";
import type { DeliveryEngine } from "../delivery/engine.ts";
import type { Ingest } from "../delivery/ingest.ts";
import type { EventCatalog } from "../endpoints/catalog.ts";
import type { EndpointRegistry } from "../endpoints/registry.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { Ed25519Signer } from "../signing/ed25519.ts";
import type { Store } from "../store/index.ts";
import type { Authenticator } from "./auth.ts";

export interface ApiDeps {
  config: Config;
  store: Store;
  auth: Authenticator;
  catalog: EventCatalog;
  registry: EndpointRegistry;
  engine: DeliveryEngine;
  ingest: Ingest;
  signer: Ed25519Signer;
  clock: Clock;
  logger: Logger;
  version: string;
  /** True while the scheduler runs (readiness). */
  isReady: () => boolean;
}
