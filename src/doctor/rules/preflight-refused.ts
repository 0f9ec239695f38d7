import { probe, received, requestLine, statusLine } from '../readings/evidence.ts';
import type { Exchange, Rule } from '../types.ts';

/**
 * What a browser checks of a preflight's answer before it sends the real request (the Fetch
 * standard's CORS check and CORS-preflight fetch): an ok status (2xx), Access-Control-Allow-Origin
 * naming the origin (or `*`), the method allowed unless it is GET, HEAD or POST, and every requested
 * header listed — `*` never covers Authorization. The problems, in words; none when it passes.
 */
export function preflightProblems(preflight: Exchange, origin: string, credentialed = false): string[] {
  const response = preflight.response;
  if (!response) return [];
  if (response.status < 200 || response.status >= 300) return [`it answers ${response.status}, not 2xx`];
  const value = (name: string) =>
    response.headers
      .filter(([n]) => n.toLowerCase() === name)
      .map(([, v]) => v)
      .join(',');
  const list = (name: string) =>
    value(name)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const asked = (name: string) => preflight.request.headers.find(([n]) => n.toLowerCase() === name)?.[1]?.trim() ?? '';
  const problems: string[] = [];
  const allowOrigin = value('access-control-allow-origin').trim();
  // A credentialed request (cookies go with it: credentials mode "include") takes no `*` for a
  // wildcard, in any of the three lists, and needs Access-Control-Allow-Credentials: true.
  const wild = (items: string[]) => !credentialed && items.includes('*');
  if (credentialed && allowOrigin === '*')
    problems.push('Access-Control-Allow-Origin is *, which browsers refuse for a call that carries cookies');
  else if (allowOrigin !== '*' && allowOrigin !== origin)
    problems.push(
      allowOrigin
        ? `Access-Control-Allow-Origin is ${JSON.stringify(allowOrigin)}, not ${origin}`
        : 'it has no Access-Control-Allow-Origin',
    );
  const method = asked('access-control-request-method');
  const methods = list('access-control-allow-methods');
  if (credentialed && value('access-control-allow-credentials').trim() !== 'true')
    problems.push('Access-Control-Allow-Credentials is not true, which a call that carries cookies needs');
  if (method && !['GET', 'HEAD', 'POST'].includes(method) && !wild(methods) && !methods.includes(method))
    problems.push(`Access-Control-Allow-Methods does not list ${method}`);
  const allowed = list('access-control-allow-headers').map((h) => h.toLowerCase());
  const missing = asked('access-control-request-headers')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
    .filter((h) => !allowed.includes(h) && !(wild(allowed) && h !== 'authorization'));
  if (missing.length)
    problems.push(
      `Access-Control-Allow-Headers does not list ${missing.join(', ')}${missing.includes('authorization') && allowed.includes('*') ? ' (a * never covers Authorization)' : ''}`,
    );
  return problems;
}

/** The CORS preflight is refused other than for credentials: a browser at --origin never sends the request. */
export const preflightRefused: Rule = {
  code: 'preflight_refused',
  summary:
    "The CORS preflight a browser at `--origin` would send fails the browser's check (not 2xx, no matching Access-Control-Allow-Origin, the method or a header such as Authorization not allowed): browsers then block every call.",
  rank: 4,
  check(context) {
    const preflight = probe(context, 'preflight')[0];
    const status = preflight?.response?.status;
    // A 401 or 403 is preflight_unauthorized's: the credentials a preflight never carries.
    if (!preflight || !context.origin || status === undefined || status === 401 || status === 403) return undefined;
    // Cookies the user sent are cookies a browser would send: the call is credentialed.
    const credentialed = context.primary.request.headers.some(([n]) => n.toLowerCase() === 'cookie');
    const problems = preflightProblems(preflight, context.origin, credentialed);
    if (problems.length === 0) return undefined;
    return {
      code: 'preflight_refused',
      severity: 'error',
      title: `The CORS preflight fails: ${problems[0]}; browsers at ${context.origin} will block the call`,
      evidence: [
        requestLine(preflight),
        ...preflight.request.headers
          .filter(([n]) => /^access-control-request-/i.test(n))
          .map(([n, v]) => `> ${n}: ${v}`),
        statusLine(preflight),
        ...received(preflight, 'access-control-allow-origin'),
        ...received(preflight, 'access-control-allow-methods'),
        ...received(preflight, 'access-control-allow-headers'),
        ...(problems.length > 1 ? [`  also: ${problems.slice(1).join('; ')}`] : []),
      ],
      fix: `Answer OPTIONS preflights before routing and authentication, with 204 and Access-Control-Allow-Origin: ${context.origin}, Access-Control-Allow-Methods naming the method, and Access-Control-Allow-Headers listing Authorization by name (FastAPI: CORSMiddleware with allow_origins and allow_headers; Django: django-cors-headers; Gatehouse: the guard's cors policy).`,
    };
  },
};
