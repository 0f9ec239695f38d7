/**
 * `gatehouse demo`, as far as it goes today: the situations of the reference guides, told
 * through the headers and bodies a server sends in each, and what the shared model reads in
 * them. Every situation checks its own reading, and the command fails if one does not hold.
 */
import {
  createProblem,
  formatAuthorization,
  formatChallenges,
  formatHttpDate,
  maskSecret,
  parseAuthorization,
  parseChallenges,
  parseProblem,
  parseRateLimit,
  parseRetryAfter,
  reasonOfProblem,
} from '../http/index.ts';
import type { Output } from './output.ts';

interface Situation {
  title: string;
  /** What travels on the wire, as a person would see it in `curl -v`. */
  wire: string[];
  /** What Gatehouse reads in it, in a sentence. */
  reading: string;
  /** Whether the reading is the documented one. */
  holds: boolean;
}

function situations(): Situation[] {
  const list: Situation[] = [];
  const server = Date.UTC(2026, 10, 22, 12, 0, 0);

  {
    const header = 'Basic realm="Fake Realm"';
    const [challenge] = parseChallenges(header);
    list.push({
      title: 'Basic auth with the wrong password (httpbin /basic-auth)',
      wire: ['← 401 Unauthorized', `← WWW-Authenticate: ${header}`],
      reading: `The server takes ${challenge?.scheme} credentials for realm "${challenge?.params['realm']}"; the pair sent was refused.`,
      holds: challenge?.scheme === 'Basic' && challenge.params['realm'] === 'Fake Realm',
    });
  }
  {
    const header = formatChallenges([
      { scheme: 'Bearer', params: { realm: 'api' } },
      { scheme: 'Basic', params: { realm: 'api', charset: 'UTF-8' } },
    ]);
    const challenges = parseChallenges(header);
    const noError = challenges.every((c) => c.params['error'] === undefined);
    list.push({
      title: 'A request sent without credentials',
      wire: ['← 401 Unauthorized', `← WWW-Authenticate: ${header}`],
      reading: `${challenges.length} schemes offered (${challenges.map((c) => c.scheme).join(', ')}), no error code: nothing was sent (RFC 6750 §3.1).`,
      holds: challenges.length === 2 && noError,
    });
  }
  {
    const header = 'Bearer realm="api", error="invalid_token", error_description="The access token expired"';
    const body = JSON.stringify(
      createProblem('token_expired', { detail: 'The access token expired at 2026-11-22T11:59:00Z.' }),
    );
    const [challenge] = parseChallenges(header);
    const reason = reasonOfProblem(parseProblem(body));
    list.push({
      title: 'An expired access token',
      wire: ['← 401 Unauthorized', `← WWW-Authenticate: ${header}`, `← ${body}`],
      reading: `error=${challenge?.params['error']}, reason ${reason?.code}: ${reason?.hint}`,
      holds: challenge?.params['error'] === 'invalid_token' && reason?.code === 'token_expired',
    });
  }
  {
    const header = 'Bearer realm="api", error="insufficient_scope", scope="admin"';
    const [challenge] = parseChallenges(header);
    list.push({
      title: 'A valid token without the scope the route needs',
      wire: ['← 403 Forbidden', `← WWW-Authenticate: ${header}`],
      reading: `Scope "${challenge?.params['scope']}" is missing; refreshing the same grant will not help, so a client must not retry.`,
      holds: challenge?.params['error'] === 'insufficient_scope' && challenge.params['scope'] === 'admin',
    });
  }
  {
    const seconds = parseRetryAfter('30');
    const date = formatHttpDate(server);
    const at = formatHttpDate(server + 45_000);
    // The local clock is ten minutes fast; the server's Date keeps the wait right.
    const wait = parseRetryAfter(at, { date, now: server + 600_000 });
    list.push({
      title: 'Rate limited: 429 with Retry-After, in both forms',
      wire: ['← 429 Too Many Requests', '← Retry-After: 30', `← Date: ${date}`, `← Retry-After: ${at}`],
      reading: `Wait ${seconds} ms for the first; ${wait} ms for the second, measured against the server's Date although the local clock is 10 min fast.`,
      holds: seconds === 30_000 && wait === 45_000,
    });
  }
  {
    const headers = { RateLimit: '"default";r=0;t=12', 'RateLimit-Policy': '"default";q=100;w=60' };
    const info = parseRateLimit(headers);
    list.push({
      title: 'Rate-limit fields before the limit is hit',
      wire: [`← RateLimit: ${headers.RateLimit}`, `← RateLimit-Policy: ${headers['RateLimit-Policy']}`],
      reading: `${info?.remaining} of ${info?.limit} requests left in a ${(info?.windowMs ?? 0) / 1000} s window; the quota resets in ${info?.resetMs} ms.`,
      holds: info?.remaining === 0 && info.limit === 100 && info.resetMs === 12_000,
    });
  }
  {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl';
    const result = parseAuthorization(`Bearer Bearer ${token}`);
    list.push({
      title: 'An Authorization header the server cannot read',
      wire: [
        `→ Authorization: Bearer Bearer ${maskSecret(token)}`,
        '← 400 Bad Request',
        '← WWW-Authenticate: Bearer error="invalid_request"',
      ],
      reading: result.ok ? 'read as valid' : `${result.problem}: ${result.message}.`,
      holds: !result.ok && result.problem === 'bearer_token_invalid',
    });
  }
  {
    const header = formatAuthorization({ kind: 'basic', username: 'jürgen', password: 'pässwörd' });
    const back = parseAuthorization(header);
    list.push({
      title: 'Basic credentials with non-ASCII characters',
      wire: [`→ Authorization: Basic ${maskSecret(header.slice(6))}`],
      reading:
        back.ok && back.credentials.kind === 'basic'
          ? `Encoded as UTF-8 (RFC 7617 §2.1); the server reads username "${back.credentials.username}" back.`
          : 'unreadable',
      holds:
        back.ok &&
        back.credentials.kind === 'basic' &&
        back.credentials.username === 'jürgen' &&
        back.credentials.password === 'pässwörd',
    });
  }
  {
    const header =
      'Digest realm="me@kennethreitz.com", nonce="6bf5d6e4da1ce66918800195d6b9130d", qop="auth", opaque="e0ea1a5e0ce1a4b6e6a5bc3c3a3c1d43", algorithm=MD5, stale=FALSE';
    const [challenge] = parseChallenges(header);
    list.push({
      title: 'A Digest challenge (httpbin /digest-auth)',
      wire: ['← 401 Unauthorized', `← WWW-Authenticate: ${header}`],
      reading: `Digest with ${challenge?.params['algorithm']}, qop ${challenge?.params['qop']}, stale=${challenge?.params['stale']}: answer with a response computed over this nonce.`,
      holds: challenge?.params['algorithm'] === 'MD5' && challenge.params['qop'] === 'auth',
    });
  }
  return list;
}

export function runModelTour(out: Output, options: { json: boolean }): number {
  const list = situations();
  const failed = list.filter((s) => !s.holds).length;
  if (options.json) {
    out.line(
      JSON.stringify({ scope: 'shared-model', situations: list, passed: list.length - failed, failed }, null, 2),
    );
    return failed === 0 ? 0 : 1;
  }
  const { color } = out;
  out.line(color.bold('Gatehouse demo: the shared model of HTTP authentication'));
  out.line(color.dim('The full tour (playground, client and server) is not built yet; this walks the shared model'));
  out.line(color.dim('through what travels on the wire in each situation of the reference guides.'));
  list.forEach((situation, i) => {
    out.line();
    out.line(color.bold(`${i + 1}. ${situation.title}`));
    for (const line of situation.wire) out.line(`   ${color.cyan(line)}`);
    out.line(`   ${situation.reading}`);
    out.line(situation.holds ? `   ${color.green('✔ as documented')}` : `   ${color.red('✘ not as documented')}`);
  });
  out.line();
  out.line(`${list.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
