/**
 * The playground's `onError`: a dependency that stops answering (Postgres, Redis) is told in one
 * line when the outage starts, naming it and why, and in one when it answers again; the requests
 * answered 503 store_unavailable meanwhile, and the reconnect attempts, add nothing. Any other
 * failure is logged each time, as `logFailure` logs it.
 */
import { describeError, failureLine, type OnError } from '../server/server-failure.ts';

/** Something the playground cannot answer without. */
export interface Dependency {
  /** As a log line names it: its URL without a password. */
  name: string;
  /** Resolves when it answers; rejects with why it does not. */
  check(): Promise<unknown>;
}

export interface OutageLogOptions {
  dependencies: readonly Dependency[];
  /** How often the dependencies are asked again during an outage. @default 1000 ms */
  probeIntervalMs?: number;
  /** Where the lines go. @default console.error */
  log?: (line: string) => void;
}

export interface OutageLog {
  onError: OnError;
  /** Stops asking; an outage still open is left unreported. */
  close(): void;
}

export function outageLog(options: OutageLogOptions): OutageLog {
  const log = options.log ?? ((line: string) => console.error(line));
  const interval = options.probeIntervalMs ?? 1_000;
  // up: nothing known to be down; checking: a failure came, its cause is being asked; down: an outage is open.
  let state: 'up' | 'checking' | 'down' = 'up';
  let since = 0;
  let answered = 0; // 503s during the current outage
  let names = '';
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /** The dependencies that do not answer now, each with why. */
  const failing = async () => {
    const results = await Promise.allSettled(options.dependencies.map((d) => d.check()));
    return results.flatMap((result, i) =>
      result.status === 'rejected' ? [{ name: options.dependencies[i]!.name, cause: result.reason }] : [],
    );
  };

  const probe = () => {
    timer = setTimeout(async () => {
      if ((await failing()).length > 0 || closed) {
        if (!closed) probe();
        return;
      }
      const seconds = ((Date.now() - since) / 1000).toFixed(1).replace(/\.0$/, '');
      log(
        `gatehouse: ${names} ${names.includes(' and ') ? 'answer' : 'answers'} again after ${seconds} s (${answered} answers were 503 store_unavailable)`,
      );
      state = 'up';
    }, interval);
    timer.unref();
  };

  const onError: OnError = (failure) => {
    if (failure.reason !== 'store_unavailable') return log(failureLine(failure));
    answered++;
    if (state !== 'up') return;
    state = 'checking';
    answered = 1;
    since = Date.now();
    void failing().then((down) => {
      if (down.length === 0) {
        // A blip: everything answers again already. The failure is told as itself.
        state = 'up';
        log(failureLine(failure));
        return;
      }
      state = 'down';
      names = down.map((d) => d.name).join(' and ');
      const causes = down.map((d) => describeError(d.cause)).join('; ');
      const verb = down.length > 1 ? 'do not answer' : 'does not answer';
      log(`gatehouse: ${names} ${verb} (${causes}); what needs it is answered 503 store_unavailable until it does`);
      if (!closed) probe();
    });
  };

  return {
    onError,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
