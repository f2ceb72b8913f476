import type { NodeId } from '@poolnet/protocol';
import type { Clock, Cancel } from '../ports/clock.js';
import type { Path } from '../topology/position.js';

/** A destination still owing an ack, with the path it was last sent to. */
export interface Owed {
  readonly nodeId: NodeId;
  path: Path;
}

interface Entry {
  readonly owed: Map<NodeId, Owed>;
  attempt: number;
  cancel: Cancel;
}

export interface PendingAcksOptions {
  clock: Clock;
  /** First wait for an ack; doubles with each attempt. */
  timeoutMs: number;
  /** Sends in all, the first included. */
  maxAttempts: number;
  /** Send the message again to these destinations (the caller refreshes their paths). */
  resend(messageId: string, owed: Owed[]): void;
  /** No ack after the last attempt. */
  giveUp(messageId: string, owed: Owed[]): void;
}

/**
 * RT7: directed pool messages (file requests, retractions) must survive a relay leaving
 * while they are in flight. The source keeps each one until every destination acks it and
 * sends it again, with backoff, to those that have not.
 */
export class PendingAcks {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: PendingAcksOptions) {}

  track(messageId: string, destinations: readonly Owed[]): void {
    const owed = new Map(destinations.map((d) => [d.nodeId, { nodeId: d.nodeId, path: d.path }]));
    const entry: Entry = { owed, attempt: 1, cancel: () => {} };
    this.entries.set(messageId, entry);
    this.arm(messageId, entry);
  }

  /** `from` confirmed `messageId`; true when no destination owes it any more. */
  ack(messageId: string, from: NodeId): boolean {
    const entry = this.entries.get(messageId);
    if (!entry) return false;
    entry.owed.delete(from);
    if (entry.owed.size > 0) return false;
    entry.cancel();
    this.entries.delete(messageId);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.cancel();
    this.entries.clear();
  }

  private arm(messageId: string, entry: Entry): void {
    const wait = this.options.timeoutMs * 2 ** (entry.attempt - 1);
    entry.cancel = this.options.clock.setTimeout(() => {
      const owed = [...entry.owed.values()];
      if (entry.attempt >= this.options.maxAttempts) {
        this.entries.delete(messageId);
        this.options.giveUp(messageId, owed);
        return;
      }
      entry.attempt++;
      this.options.resend(messageId, owed);
      this.arm(messageId, entry);
    }, wait);
  }
}
