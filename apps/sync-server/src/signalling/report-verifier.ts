/**
 * Checks "I cannot reach my neighbour" reports ([SIG9], [SIG10]).
 *
 * The Go server never checked a report: it blamed both ends and kicked whoever collected too
 * many (sync-server.md §3.9). Here the hub asks the other side. When R reports T, T gets
 * `verify(R)` ("is your link to R up?"):
 * - T does not answer within `verifyTimeoutMs`: T is dead (or deaf), so it is removed and its
 *   subtree re-placed. R's report was true.
 * - T answers "not reachable": both ends agree the link is down; both are alive, so the link
 *   is ordered again (disconnect, then connect) for a fresh attempt. R's report was true.
 * - T answers "reachable": T is alive and says the link works, so R's report was false. The
 *   link is ordered again anyway (harmless if it is up, a cure if T is wrong), and R is
 *   charged one false report; beyond `falseReportsTolerated` within the window R is
 *   disconnected, so a device cannot use reports to knock its neighbours out of the pool.
 *
 * One question per (reporter, target) pair is open at a time; repeats while it is open are
 * dropped. False-report counts belong to the device, not the connection, and live as long as
 * the pool is live, so reconnecting does not wash them away.
 */
import type { NodeId } from '@poolnet/protocol';
import type { Cancel, Clock, HubLimits } from './config.js';
import { SlidingCount } from './sliding-count.js';

/** What the verifier asks its pool to do. */
export interface ReportActions {
  /** Send `verify(about)` to `target`. */
  askTarget(target: NodeId, about: NodeId): void;
  /** `target` did not answer: remove it as dead. */
  removeDead(target: NodeId): void;
  /** Order the link between `a` and `b` again, if the topology still links them. */
  reorderLink(a: NodeId, b: NodeId): void;
  /** `reporter` made too many false reports: disconnect it. */
  expelReporter(reporter: NodeId): void;
  /** Counters. */
  counted(event: 'verify' | 'dead' | 'false'): void;
}

interface OpenQuestion {
  readonly reporter: NodeId;
  readonly target: NodeId;
  readonly cancel: Cancel;
}

export type ReportOutcome = 'asked' | 'already-asking';

export class ReportVerifier {
  /** Open questions, by target then reporter. */
  private readonly open = new Map<NodeId, Map<NodeId, OpenQuestion>>();
  private readonly falseReports = new Map<NodeId, SlidingCount>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: HubLimits,
    private readonly actions: ReportActions,
  ) {}

  /** `reporter` cannot reach `target` (the pool has checked that they are linked). */
  report(reporter: NodeId, target: NodeId): ReportOutcome {
    let byReporter = this.open.get(target);
    if (byReporter?.has(reporter)) return 'already-asking';
    if (!byReporter) {
      byReporter = new Map();
      this.open.set(target, byReporter);
    }
    const cancel = this.clock.setTimeout(
      () => this.unanswered(target, reporter),
      this.limits.verifyTimeoutMs,
    );
    byReporter.set(reporter, { reporter, target, cancel });
    this.actions.counted('verify');
    this.actions.askTarget(target, reporter);
    return 'asked';
  }

  /**
   * `target` answers about `reporter`. Returns false when no question was open (a late or
   * unasked answer), which the caller ignores: it may be a race with a topology change.
   */
  answer(target: NodeId, reporter: NodeId, reachable: boolean): boolean {
    const question = this.take(target, reporter);
    if (!question) return false;
    question.cancel();
    this.actions.reorderLink(target, reporter);
    if (reachable) this.chargeFalseReport(reporter);
    return true;
  }

  /** `node` left the pool: drop every question it asked or was asked. Counts stay. */
  forget(node: NodeId): void {
    for (const question of this.open.get(node)?.values() ?? []) question.cancel();
    this.open.delete(node);
    for (const [target, byReporter] of this.open) {
      byReporter.get(node)?.cancel();
      byReporter.delete(node);
      if (byReporter.size === 0) this.open.delete(target);
    }
  }

  /** The pool is dropped: cancel every timer. */
  dispose(): void {
    for (const byReporter of this.open.values()) {
      for (const question of byReporter.values()) question.cancel();
    }
    this.open.clear();
    this.falseReports.clear();
  }

  private unanswered(target: NodeId, reporter: NodeId): void {
    if (!this.take(target, reporter)) return;
    this.actions.counted('dead');
    this.actions.removeDead(target);
  }

  private chargeFalseReport(reporter: NodeId): void {
    this.actions.counted('false');
    let count = this.falseReports.get(reporter);
    if (!count) {
      count = new SlidingCount(this.limits.falseReportWindowMs);
      this.falseReports.set(reporter, count);
    }
    if (count.add(this.clock.now()) > this.limits.falseReportsTolerated) {
      this.actions.expelReporter(reporter);
    }
  }

  private take(target: NodeId, reporter: NodeId): OpenQuestion | undefined {
    const byReporter = this.open.get(target);
    const question = byReporter?.get(reporter);
    if (!byReporter || !question) return undefined;
    byReporter.delete(reporter);
    if (byReporter.size === 0) this.open.delete(target);
    return question;
  }
}
