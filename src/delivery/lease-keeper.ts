// Keeps this replica's claims alive on a shared store: every third of the lease it extends the lease of every
// delivery it holds (queued in memory or in flight), in one statement. A replica that dies stops renewing, so its
// deliveries return to the others once the lease runs out.
import type { Clock, Timer } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { Cluster } from "../store/index.ts";

export class LeaseKeeper {
  private timer: Timer | null = null;
  private running = false;

  constructor(
    private readonly cluster: Pick<Cluster, "renewLeases">,
    private readonly leaseMs: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Extends every lease this replica holds to now + the lease. */
  async renew(): Promise<void> {
    try {
      await this.cluster.renewLeases(this.clock.now() + this.leaseMs);
    } catch (e) {
      this.logger.error("renewing delivery leases failed; retrying", { error: e });
    }
  }

  private arm(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(
      async () => {
        await this.renew();
        this.arm();
      },
      Math.max(250, Math.floor(this.leaseMs / 3)),
    );
    (this.timer as { unref?: () => void }).unref?.();
  }
}
