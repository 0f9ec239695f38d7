/**
 * The tour behind `gatehouse demo`: every scenario of the Python requests guide ("How to handle
 * unauthorized responses in Python requests"), walked through by the Gatehouse client against the
 * playground, then the server's refusals. Each scenario records what was sent and what came back
 * (secrets masked), says what the client did and why, and checks that it behaved as documented. One file per scenario; this list is their order.
 */
import { HttpError, RateLimitedError } from '../../client/index.ts';
import type { Playground } from '../serve.ts';
import { basicAuth } from './basic-auth.ts';
import { basicAuthWrongPassword } from './basic-auth-wrong-password.ts';
import { bearerToken } from './bearer-token.ts';
import { completeClient } from './complete-client.ts';
import { lockedOut } from './locked-out.ts';
import { rateLimit } from './rate-limit.ts';
import { recorder, type Transcript } from './recorder.ts';
import { refreshOn401 } from './refresh-on-401.ts';
import { refreshTokenReuse } from './refresh-token-reuse.ts';
import { retryBackoff } from './retry-backoff.ts';
import { errorName, type Scenario, type ScenarioScript } from './scenario.ts';
import { serverRefusals } from './server-refusals.ts';
import { sessionHeaders } from './session-headers.ts';
import { signedRequest } from './signed-request.ts';
import { storedToken } from './stored-token.ts';

export type { Scenario } from './scenario.ts';

/**
 * The tour's last words: many come to it with a 401 of their own, and the doctor is what names
 * its cause. One concrete line to copy, since "<your URL>" alone leaves the flags to be guessed.
 */
export const NEXT_STEP: readonly string[] = [
  'next: gatehouse doctor <your URL> names the cause of a 401 of your own, as in',
  '  gatehouse doctor https://api.example.com/v1/me --bearer "$TOKEN"',
];

const scenarios: ScenarioScript[] = [
  basicAuth,
  basicAuthWrongPassword,
  bearerToken,
  storedToken,
  refreshOn401,
  retryBackoff,
  sessionHeaders,
  signedRequest,
  rateLimit,
  completeClient,
  serverRefusals,
  lockedOut,
  refreshTokenReuse,
];

export async function runTour(
  playground: Playground,
  onScenario?: (scenario: Scenario, index: number) => void,
): Promise<Scenario[]> {
  const results: Scenario[] = [];
  for (const { title, step } of scenarios) {
    const log: Transcript[] = [];
    const story: string[] = [];
    let holds = false;
    try {
      holds = await step({ playground, log, story, transport: recorder(log) });
    } catch (error) {
      story.push(
        `Unexpected: ${error instanceof HttpError || error instanceof RateLimitedError ? error.message : errorName(error)}`,
      );
    }
    const scenario = { title, exchanges: log, story, holds };
    results.push(scenario);
    onScenario?.(scenario, results.length - 1);
  }
  return results;
}
