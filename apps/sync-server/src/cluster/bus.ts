/**
 * The NATS connection of one instance ([CL3]): it reconnects forever, and says when it is
 * down and when it is back, so the instance can report a degraded state and end the
 * forwarded sessions whose frames would be lost meanwhile.
 */
import { type Msg, type NatsConnection, Events, connect } from 'nats';

export interface BusEvents {
  /** The connection to NATS dropped (it is being re-established). */
  down(): void;
  /** The connection is back (subscriptions are restored by the client). */
  up(): void;
}

export class ClusterBus {
  private connectedNow = true;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly events: BusEvents,
  ) {
    void this.watch();
  }

  /** Connects (waiting for a first connection as long as it takes). */
  static async open(url: string, name: string, events: BusEvents): Promise<ClusterBus> {
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
    return new ClusterBus(nc, events);
  }

  get connected(): boolean {
    return this.connectedNow;
  }

  subscribe(subject: string, onMessage: (msg: Msg) => void): void {
    this.nc.subscribe(subject, { callback: (err, msg) => err === null && onMessage(msg) });
  }

  /** Fire and forget; dropped (not buffered) while disconnected. */
  publish(subject: string, data: Uint8Array): void {
    if (!this.connectedNow) return;
    try {
      this.nc.publish(subject, data);
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
      return (await this.nc.request(subject, data, { timeout: timeoutMs })).data;
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
