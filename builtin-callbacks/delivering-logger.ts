import { CustomLogger } from "../core/callbacks/custom-logger.ts";
import type { CallbackKwargs, StandardLoggingObject } from "../core/types.ts";
import { Delivery, type DeliveryOptions, type DeliveryStats } from "./delivery.ts";

/**
 * A built-in that ships the standard record of every success and failure
 * somewhere over HTTP (mixpanel, webhook): the event only joins a buffer, and
 * `Delivery` batches, sends and retries it in the background. What joins the
 * buffer is the record, unless a subclass takes more of the event (`item`).
 */
export abstract class DeliveringLogger<T = StandardLoggingObject> extends CustomLogger {
  private readonly delivery: Delivery<T>;
  /** The built-in's name (`mixpanel`, `webhook`): what its delivery counts are reported under. */
  readonly deliveryName: string;

  constructor(options: Record<string, unknown>, delivery: DeliveryOptions<T>) {
    super(options);
    this.delivery = new Delivery<T>(delivery);
    this.deliveryName = delivery.name;
  }

  /** What one event sends: its record. */
  protected item(kwargs: CallbackKwargs, record: StandardLoggingObject): T {
    return record as unknown as T;
  }

  override log_success_event(kwargs: CallbackKwargs): void {
    if (kwargs.standard_logging_object) this.delivery.push(this.item(kwargs, kwargs.standard_logging_object));
  }

  override log_failure_event(kwargs: CallbackKwargs): void {
    if (kwargs.standard_logging_object) this.delivery.push(this.item(kwargs, kwargs.standard_logging_object));
  }

  /** Sends every buffered record and waits for the requests, retries included. */
  flush(): Promise<void> {
    return this.delivery.flush();
  }

  close(): Promise<void> {
    return this.delivery.close();
  }

  stats(): DeliveryStats {
    return this.delivery.stats();
  }
}
