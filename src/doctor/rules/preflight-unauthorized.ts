import { probe, received, requestLine, statusLine } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/** The CORS preflight is refused for lack of credentials: browsers never send credentials with a preflight. */
export const preflightUnauthorized: Rule = {
  code: 'preflight_unauthorized',
  summary:
    'The CORS preflight a browser at `--origin` would send is answered 401 or 403: browsers then block every call.',
  rank: 4,
  check(context) {
    const preflight = probe(context, 'preflight')[0];
    const status = preflight?.response?.status;
    if (status !== 401 && status !== 403) return undefined;
    return {
      code: 'preflight_unauthorized',
      severity: 'error',
      title: `The CORS preflight gets ${status}: browsers will block every call from ${context.origin}`,
      evidence: [requestLine(preflight!), statusLine(preflight), ...received(preflight, 'www-authenticate')],
      fix: 'Let OPTIONS requests with Access-Control-Request-Method through before authentication (the browser sends no Authorization on a preflight), and answer them with the CORS headers, including Access-Control-Allow-Headers: Authorization.',
    };
  },
};
