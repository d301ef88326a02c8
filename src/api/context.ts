// What the API plugins are built from (the composition root fills it; tests build it over a temp database).
import type { Config } from "../config/index.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { Store } from "../store/index.ts";
import type { Authenticator } from "./auth.ts";

export interface ApiDeps {
  config: Config;
  store: Store;
  auth: Authenticator;
  clock: Clock;
  logger: Logger;
  version: string;
  /** True while the scheduler runs (readiness). */
  isReady: () => boolean;
}
