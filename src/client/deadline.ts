/**
 * The deadline stage's timer: a time budget, of one attempt or of the whole call, whose end
 * (the deadline) aborts a signal with a reason that says which budget ran out.
 */

/** A timer that aborts with a tagged reason, so the catcher knows which budget ran out. */
export class Budget {
  /**
   * A budget of `ms` (none: undefined) under `parent`. With neither, the one shared unbounded budget
   * of its kind. Invariant: such a budget holds no state a call could change (no timer, no signal,
   * readonly fields), so every call may share it; `dispose()` on it does nothing.
   */
  static of(which: 'attempt' | 'total', ms: number | undefined, parent: AbortSignal | undefined): Budget {
    if (ms === undefined && parent === undefined) return which === 'attempt' ? UNBOUNDED_ATTEMPT : UNBOUNDED_TOTAL;
    return new Budget(which, ms, parent);
  }

  readonly which: 'attempt' | 'total';
  readonly ms: number | undefined;
  readonly deadline: number;
  /**
   * Aborts when the budget runs out or the parent signal aborts (with the parent's reason);
   * undefined when there is neither a budget nor a parent, so nothing is allocated per call.
   */
  readonly signal: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(which: 'attempt' | 'total', ms: number | undefined, parent: AbortSignal | undefined) {
    this.which = which;
    this.ms = ms;
    this.deadline = ms === undefined ? Number.POSITIVE_INFINITY : Date.now() + ms;
    if (ms === undefined) {
      this.signal = parent;
      return;
    }
    const controller = new AbortController();
    this.#timer = setTimeout(() => controller.abort(new BudgetExpired(which)), ms);
    // AbortSignal.any holds its sources weakly: a long-lived caller signal collects no listeners.
    this.signal = parent ? AbortSignal.any([parent, controller.signal]) : controller.signal;
  }

  /** Milliseconds left; Infinity without a budget. */
  remaining(): number {
    return this.deadline - Date.now();
  }

  /** Stops the timer. The signal stays as it is, so a body still streaming keeps its parents' abort. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

const UNBOUNDED_ATTEMPT = new Budget('attempt', undefined, undefined);
const UNBOUNDED_TOTAL = new Budget('total', undefined, undefined);

/** The abort reason a Budget uses. */
export class BudgetExpired extends Error {
  readonly which: 'attempt' | 'total';

  constructor(which: 'attempt' | 'total') {
    super(`${which} budget expired`);
    this.which = which;
  }
}
