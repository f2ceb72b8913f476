import {
  LinkError,
  type Cancel,
  type Clock,
  type LinkRole,
  type PeerLink,
  type SignalPipe,
} from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import { SelectError } from './errors.js';
import type { Candidate } from './options.js';

/** The transport an attempt kept, and its link. */
export interface Chosen {
  readonly id: number;
  readonly kind: string;
  readonly link: PeerLink;
}

export interface RaceSetup {
  readonly peer: NodeId;
  readonly role: LinkRole;
  /** The transports to try, most preferred first. */
  readonly candidates: readonly Candidate[];
  /** The signal pipe of one transport in this attempt. */
  readonly pipeFor: (id: number) => SignalPipe;
  /** Initiator: tell the far end which transport is kept (before `result` resolves). */
  readonly announce: (id: number) => void;
  readonly preferWindowMs: number;
  readonly timeoutMs: number;
  readonly clock: Clock;
}

interface Entry {
  readonly candidate: Candidate;
  state: 'opening' | 'up' | 'failed';
  readonly abort: AbortController;
  link?: PeerLink;
  error?: unknown;
  offClose?: () => void;
}

/**
 * One attempt to link two ends over several transports at once: the first open, or a re-open
 * after the carrier dropped. Every candidate opens in parallel, each on its own signal pipe.
 *
 * The initiator decides: the most preferred transport still in the running wins as soon as it
 * is up; a less preferred one that is up first wins if nothing better comes up within
 * `preferWindowMs`, or as soon as everything better has failed. It announces the winner before
 * keeping it. The responder keeps the transport it is told, waiting for that link if it is not
 * up yet here. The losers are closed (links) or aborted (opens) on both ends, so each end
 * holds exactly one link afterwards.
 */
export class LinkRace {
  /** The kept link; rejects with a `LinkError` (`OPEN_FAILED` whose cause is a `SelectError`). */
  readonly result: Promise<Chosen>;
  private resolveResult!: (chosen: Chosen) => void;
  private rejectResult!: (error: LinkError) => void;
  private settled = false;
  /** Responder: the transport the initiator kept. */
  private choice: number | undefined;
  private cancelWindow: Cancel | undefined;
  private readonly cancelTimeout: Cancel;
  private readonly entries: Entry[];

  constructor(private readonly setup: RaceSetup) {
    this.result = new Promise<Chosen>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // Nobody may await a race that was superseded: its rejection is expected.
    this.result.catch(() => {});
    const { clock, timeoutMs } = setup;
    this.cancelTimeout = clock.setTimeout(() => this.timedOut(), timeoutMs);
    this.entries = setup.candidates.map((candidate) => ({
      candidate,
      state: 'opening',
      abort: new AbortController(),
    }));
    for (const entry of this.entries) this.start(entry);
    this.evaluate();
  }

  /** The far end's hello: drop the transports it does not have. */
  restrict(ids: ReadonlySet<number>): void {
    if (this.settled) return;
    for (const entry of this.entries) {
      if (ids.has(entry.candidate.id) || entry.state === 'failed') continue;
      this.discard(entry);
      entry.state = 'failed';
      entry.error = new SelectError('NO_COMMON_TRANSPORT', 'the far end does not offer it');
    }
    if (!this.entries.some((e) => ids.has(e.candidate.id))) {
      const kinds = this.entries.map((e) => e.candidate.transport.kind).join(', ');
      const cause = new SelectError(
        'NO_COMMON_TRANSPORT',
        `${this.setup.peer} offers none of ${kinds}`,
      );
      return this.fail(new LinkError('OPEN_FAILED', cause.message, { cause }));
    }
    this.evaluate();
  }

  /** Responder: the initiator kept transport `id`. */
  chosen(id: number): void {
    if (this.settled || this.setup.role === 'initiator') return;
    this.choice = id;
    this.evaluate();
  }

  /** Give up (idempotent): every open is aborted, every link closed. */
  abandon(error: LinkError): void {
    this.fail(error);
  }

  private start(entry: Entry): void {
    const { peer, role, pipeFor } = this.setup;
    const { id, transport } = entry.candidate;
    let opening: Promise<PeerLink>;
    try {
      opening = transport.open(peer, role, pipeFor(id), { signal: entry.abort.signal });
    } catch (error) {
      opening = Promise.reject(error);
    }
    opening.then(
      (link) => this.up(entry, link),
      (error: unknown) => this.failed(entry, error),
    );
  }

  private up(entry: Entry, link: PeerLink): void {
    if (this.settled || entry.state !== 'opening') return link.close();
    entry.state = 'up';
    entry.link = link;
    entry.offClose = link.onClose((reason) =>
      this.failed(entry, reason ?? new LinkError('LINK_CLOSED', 'closed by the far end')),
    );
    this.evaluate();
  }

  private failed(entry: Entry, error: unknown): void {
    if (this.settled || entry.state === 'failed') return;
    entry.offClose?.();
    entry.link?.close();
    entry.link = undefined;
    entry.state = 'failed';
    entry.error = error;
    this.evaluate();
  }

  private evaluate(): void {
    if (this.settled) return;
    const alive = this.entries.filter((e) => e.state !== 'failed');
    if (this.setup.role === 'responder') {
      if (this.choice === undefined) {
        if (alive.length === 0) this.allFailed();
        return;
      }
      const entry = this.entries.find((e) => e.candidate.id === this.choice);
      if (entry?.state === 'up') return this.win(entry);
      if (entry === undefined || entry.state === 'failed') {
        const cause = new SelectError(
          'NO_CHOICE',
          `the initiator kept transport ${this.choice}, which failed or is missing here`,
          { cause: entry?.error },
        );
        this.fail(new LinkError('OPEN_FAILED', cause.message, { cause }));
      }
      return;
    }
    const best = alive[0];
    if (best === undefined) return this.allFailed();
    if (best.state === 'up') return this.win(best);
    if (this.cancelWindow === undefined && alive.some((e) => e.state === 'up')) {
      this.cancelWindow = this.setup.clock.setTimeout(
        () => this.windowOver(),
        this.setup.preferWindowMs,
      );
    }
  }

  /** The initiator waited long enough for a better transport: keep the best that is up. */
  private windowOver(): void {
    if (this.settled) return;
    const up = this.entries.find((e) => e.state === 'up');
    if (up) this.win(up);
  }

  private win(winner: Entry): void {
    this.settle();
    winner.offClose?.();
    for (const entry of this.entries) if (entry !== winner) this.discard(entry);
    const { id, transport } = winner.candidate;
    if (this.setup.role === 'initiator') this.setup.announce(id);
    this.resolveResult({ id, kind: transport.kind, link: winner.link! });
  }

  private allFailed(): void {
    const failures = this.entries.map((e) => ({
      kind: e.candidate.transport.kind,
      error: e.error,
    }));
    const kinds = failures.map((f) => f.kind).join(', ');
    const cause = new SelectError('ALL_FAILED', `no transport reached ${this.setup.peer}`, {
      cause: failures[0]?.error,
      failures,
    });
    this.fail(
      new LinkError('OPEN_FAILED', `${cause.message} (tried ${kinds || 'none'})`, { cause }),
    );
  }

  private timedOut(): void {
    const cause = new SelectError(
      this.setup.role === 'responder' && this.entries.some((e) => e.state === 'up')
        ? 'NO_CHOICE'
        : 'TIMEOUT',
      `no transport kept within ${this.setup.timeoutMs} ms`,
    );
    this.fail(new LinkError('OPEN_FAILED', cause.message, { cause }));
  }

  private fail(error: LinkError): void {
    if (this.settled) return;
    this.settle();
    for (const entry of this.entries) this.discard(entry);
    this.rejectResult(error);
  }

  private discard(entry: Entry): void {
    if (entry.state === 'opening') entry.abort.abort();
    entry.offClose?.();
    entry.link?.close();
    entry.link = undefined;
  }

  private settle(): void {
    this.settled = true;
    this.cancelTimeout();
    this.cancelWindow?.();
  }
}
