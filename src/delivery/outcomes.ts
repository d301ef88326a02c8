// What an attempt's outcome changes besides the delivery row: metrics, the waiters of `?wait=true` and the test
// route (answered once the result is committed), a retry's wake-up, and the endpoint's health (a run of failures,
// disabling on 410 or after delivery.disable_after).
import type { Endpoint } from "../endpoints/endpoint.ts";
import type { EndpointRegistry } from "../endpoints/registry.ts";
import { utf8Prefix } from "../lib/bytes.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { AttemptRecord, DeliveryQueueStore } from "../store/index.ts";
import type { AttemptOutcome } from "./attempt.ts";
import type { Job } from "./lanes.ts";
import type { EngineMetrics } from "./metrics.ts";
import type { OperationalSink } from "./operational-events.ts";
import type { AttemptReport, AttemptWaiters } from "./waiters.ts";
import type { WriteBatcher } from "./write-batcher.ts";

/** When an attempt that crashed is tried again. */
const CRASH_RETRY_MS = 5000;

export interface OutcomeDeps {
  writer: WriteBatcher;
  waiters: AttemptWaiters;
  metrics: EngineMetrics;
  /** The store has a retry due at `at`. */
  wake(at: number): void;
  registry: Pick<EndpointRegistry, "disable" | "setFailingSince" | "get" | "finishDrain">;
  store: Pick<DeliveryQueueStore, "failWaitingDeliveries">;
  clock: Clock;
  logger: Logger;
  /** Told of deliveries whose retries are used up (operational events). */
  operational?: Pick<OperationalSink, "deliveryExhausted">;
}

export class OutcomeRecorder {
  constructor(private readonly d: OutcomeDeps) {}

  /** Queues the outcome's writes; once committed, a retry wakes the scheduler and waiters get their report. */
  async record(o: AttemptOutcome): Promise<void> {
    const { writer, waiters, metrics } = this.d;
    const { update } = o;
    if (o.outcome !== null) metrics.countAttempt(o.outcome, o.durationMs ?? 0);
    if (update.status !== "pending") metrics.countFinal(update.status);
    const report: AttemptReport | null = waiters.has(update.id)
      ? {
          delivery_id: update.id,
          status: update.status,
          http_status: update.http_status ?? null,
          response_time_ms: o.durationMs,
          error: o.attempt?.error ?? update.last_error,
          ...responsePreview(o.attempt),
        }
      : null;
    writer.addResult(
      {
        attempt: o.attempt,
        update,
        onCommitted: () => {
          if (update.status === "pending" && update.next_attempt_at !== null) this.d.wake(update.next_attempt_at);
          if (report) waiters.report(report);
          if (update.status !== "pending") this.finishDrains([o.endpoint?.id, o.likeEndpointId]);
          if (o.finalReason === "exhausted") this.exhausted(o);
        },
      },
      report !== null,
    );
    if (o.endpoint && o.health) {
      // The attempt's result is already queued; failing to record the endpoint's health must not undo it.
      try {
        await this.applyHealth(o.endpoint, o.health);
      } catch (e) {
        this.d.logger.error("updating endpoint health failed", { endpoint_id: o.endpoint.id, error: e });
      }
    }
  }

  /** An attempt that threw (a bug): logged, and the delivery is retried in 5 s. */
  crashed(job: Pick<Job, "deliveryId" | "attempts">, error: unknown): void {
    this.d.logger.error("delivery attempt crashed; the delivery will be retried", {
      delivery_id: job.deliveryId,
      error,
    });
    this.d.writer.addResult({
      attempt: null,
      update: {
        id: job.deliveryId,
        status: "pending",
        attempts: job.attempts,
        next_attempt_at: this.d.clock.now() + CRASH_RETRY_MS,
        error_kind: "internal_error",
        last_error: "internal_error",
        delivered_at: null,
      },
    });
  }

  private async applyHealth(endpoint: Endpoint, verdict: NonNullable<AttemptOutcome["health"]>): Promise<void> {
    const { registry, store, clock } = this.d;
    if (verdict === "healthy") return registry.setFailingSince(endpoint.id, null);
    if (endpoint.failing_since === null) await registry.setFailingSince(endpoint.id, clock.now());
    if (verdict === "disable_gone" || verdict === "disable_failing") {
      const reason = verdict === "disable_gone" ? "gone" : "failing";
      await registry.disable(endpoint.id, reason);
      const failed = await store.failWaitingDeliveries(
        endpoint.id,
        "endpoint_disabled",
        `endpoint_disabled: the endpoint was disabled (${reason})`,
      );
      if (failed > 0)
        this.d.logger.info("waiting deliveries of a disabled endpoint failed", {
          endpoint_id: endpoint.id,
          count: failed,
        });
      this.finishDrains([endpoint.id]);
    }
  }

  private exhausted(o: AttemptOutcome): void {
    this.d.operational?.deliveryExhausted({
      endpoint: o.endpoint,
      url: o.targetUrl,
      deliveryId: o.update.id,
      event: o.event,
      attempts: o.update.attempts,
      httpStatus: o.update.http_status ?? null,
      lastError: o.update.last_error,
    });
  }

  /** A delivery of these endpoints ended: a draining one whose last open delivery it was is removed now. */
  private finishDrains(ids: readonly (string | null | undefined)[]): void {
    for (const id of ids) {
      if (!id || this.d.registry.get(id)?.draining_since == null) continue;
      this.d.registry
        .finishDrain(id)
        .catch((e) => this.d.logger.error("removing a drained endpoint failed", { endpoint_id: id, error: e }));
    }
  }
}

const PREVIEW_BYTES = 4096;

/** The first 4 KiB of an attempt's captured answer, for `?wait=true` (base64 bodies stay base64). */
function responsePreview(
  attempt: AttemptRecord | null,
): Pick<AttemptReport, "response_body" | "response_body_encoding"> {
  const body = attempt?.response_body ?? null;
  if (body === null) return { response_body: null, response_body_encoding: null };
  if (attempt!.body_encoding === "base64") {
    const bytes = Buffer.from(body, "base64");
    return {
      response_body: bytes.byteLength <= PREVIEW_BYTES ? body : bytes.subarray(0, PREVIEW_BYTES).toString("base64"),
      response_body_encoding: "base64",
    };
  }
  return { response_body: utf8Prefix(body, PREVIEW_BYTES), response_body_encoding: "utf8" };
}
