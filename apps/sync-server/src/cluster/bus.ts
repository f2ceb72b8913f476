/**
 * The NATS connection of one instance ([CL3]): it reconnects forever, and says when it is
 * down and when it is back, so the instance can report a degraded state and end the
 * forwarded sessions whose frames would be lost meanwhile.
 *
 * [CL12] Every message is sealed: a 16-byte HMAC-SHA256 tag over the subject and the bytes,
 * keyed by a secret the instances share through PostgreSQL. A message that is not sealed with
 * it (anyone else who can publish on the NATS server) is dropped before it is read: it could
 * otherwise open a session as any user, end anyone's connections or forge an online list.
 * Answers to requests are sealed over `reply <request subject>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type NatsConnection, Events, connect } from 'nats';

const TAG_BYTES = 16;

/** A received message, verified: its bytes and a way to answer it (for requests). */
export interface BusMessage {
  readonly data: Uint8Array;
  respond(data: Uint8Array): void;
}

export interface BusEvents {
  /** The connection to NATS dropped (it is being re-established). */
  down(): void;
  /** The connection is back (subscriptions are restored by the client). */
  up(): void;
}

export class ClusterBus {
  private connectedNow = true;
  private unsealedCount = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly events: BusEvents,
    private readonly key: Uint8Array,
  ) {
    void this.watch();
  }

  /** Connects (waiting for a first connection as long as it takes); `key` seals messages. */
  static async open(
    url: string,
    name: string,
    events: BusEvents,
    key: Uint8Array,
  ): Promise<ClusterBus> {
    const nc = await connect({
      servers: url.split(',').map((s) => s.trim()),
      name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
      // Notice a silent server within about 4 s.
      pingInterval: 2_000,
      maxPingOut: 2,
    });
    return new ClusterBus(nc, events, key);
  }

  get connected(): boolean {
    return this.connectedNow;
  }

  /** Messages dropped because their seal was wrong or missing. */
  get unsealed(): number {
    return this.unsealedCount;
  }

  subscribe(subject: string, onMessage: (msg: BusMessage) => void): void {
    this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err !== null) return;
        const data = this.open(subject, msg.data);
        if (data === undefined) return;
        onMessage({
          data,
          respond: (answer) => {
            try {
              msg.respond(this.seal(`reply ${subject}`, answer));
            } catch {
              // Closed meanwhile: the asker times out.
            }
          },
        });
      },
    });
  }

  /** Fire and forget; dropped (not buffered) while disconnected. */
  publish(subject: string, data: Uint8Array): void {
    if (!this.connectedNow) return;
    try {
      this.nc.publish(subject, this.seal(subject, data));
    } catch {
      // Closed or draining: the frame is lost, as while disconnected.
    }
  }

  /** A request answered within `timeoutMs`, or undefined (no responder, timeout, down). */
  async request(
    subject: string,
    data: Uint8Array,
    timeoutMs: number,
  ): Promise<Uint8Array | undefined> {
    if (!this.connectedNow) return undefined;
    try {
      const answer = await this.nc.request(subject, this.seal(subject, data), {
        timeout: timeoutMs,
      });
      return this.open(`reply ${subject}`, answer.data);
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => undefined);
    }
  }

  private tag(subject: string, data: Uint8Array): Buffer {
    return createHmac('sha256', this.key)
      .update(subject)
      .update('\0')
      .update(data)
      .digest()
      .subarray(0, TAG_BYTES);
  }

  private seal(subject: string, data: Uint8Array): Uint8Array {
    const out = new Uint8Array(data.length + TAG_BYTES);
    out.set(data);
    out.set(this.tag(subject, data), data.length);
    return out;
  }

  /** The bytes of a sealed message, or undefined (counted) if the seal does not hold. */
  private open(subject: string, sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length >= TAG_BYTES) {
      const data = sealed.subarray(0, sealed.length - TAG_BYTES);
      const tag = sealed.subarray(sealed.length - TAG_BYTES);
      if (timingSafeEqual(tag, this.tag(subject, data))) return data;
    }
    this.unsealedCount++;
    return undefined;
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect && this.connectedNow) {
        this.connectedNow = false;
        this.events.down();
      } else if (status.type === Events.Reconnect && !this.connectedNow) {
        this.connectedNow = true;
        this.events.up();
      }
    }
  }
}
