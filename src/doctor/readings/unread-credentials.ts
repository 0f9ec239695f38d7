/**
 * Credentials answered exactly as the same request without them, and the layers on the way that are
 * known to drop them (by the header lines they leave on an answer), with each one's fix.
 */
import { parseAuthorization } from '../../http/index.ts';
import { header } from '../probes.ts';
import { schemeMismatch } from '../rules/scheme-mismatch.ts';
import type { Context } from '../types.ts';
import { compareWithout, differences } from './comparison.ts';
import { probe, serverError, statusOf } from './evidence.ts';
import { credentialExample } from './fixes.ts';

/** The comparison credentials_not_received and credentials_ignored start from, or undefined when the answers differ or another rule explains them. */
export function answeredAsWithout(context: Context) {
  const status = statusOf(context);
  if ((status !== 401 && status !== 403) || context.authorization.length !== 1) return undefined;
  const parsed = parseAuthorization(context.authorization[0]);
  if (!parsed.ok || parsed.credentials.kind === 'digest') return undefined;
  const scheme = parsed.credentials.scheme ?? '';
  if (/^(negotiate|ntlm)$/i.test(scheme)) return undefined; // a handshake answers with the same challenge
  // A scheme the server does not offer, by its challenge or its API description, is scheme_mismatch's:
  // the server ignoring it looks just like a proxy dropping it.
  if (schemeMismatch.check(context)) return undefined;
  const comparison = compareWithout(context);
  if (!comparison || comparison.differs.length > 0) return undefined;
  // An answer that names a verdict on a credential (RFC 6750 §3.1 sends no error code to a request
  // without one) was about a credential that did arrive.
  const error = serverError(context);
  if (error !== undefined && error !== 'credentials_missing') return undefined;
  // The scheme in its registered spelling got another answer: it arrives, but this spelling is
  // not read (scheme_format says so).
  const canonical = probe(context, 'canonical-scheme')[0];
  if (canonical?.response && differences(canonical, comparison.without).length > 0) return undefined;
  const layers = stripPoints(context);
  const offered =
    context.challenges.some((c) => c.scheme.toLowerCase() === scheme.toLowerCase()) ||
    (context.apiDescription?.schemes.length ?? 0) > 0;
  return { scheme, comparison, layers, stripped: offered || layers.proxied };
}

interface Layer {
  /** Whether a response header line shows this layer. */
  shows(name: string, value: string): boolean;
  fix: string;
}

const APACHE =
  'Apache: `WSGIPassAuthorization On` for mod_wsgi, `CGIPassAuth On` (2.4.13+) for CGI, FastCGI and PHP-FPM';
const NGINX =
  'nginx: `proxy_set_header Authorization $http_authorization;` in the location (and no `proxy_set_header Authorization "";`), or `fastcgi_param HTTP_AUTHORIZATION $http_authorization;` for FastCGI';

/** Layers known to drop Authorization, by the header lines they leave on an answer. */
const LAYERS: readonly Layer[] = [
  { shows: (n, v) => n === 'server' && /apache/i.test(v), fix: APACHE },
  { shows: (n, v) => n === 'server' && /nginx|openresty/i.test(v), fix: NGINX },
  {
    shows: (n) => /^(x-amzn-requestid|x-amz-apigw-id|x-amzn-trace-id|x-amzn-errortype)$/.test(n),
    fix: 'AWS API Gateway: map it in the integration request (`integration.request.header.Authorization` from `method.request.header.Authorization`), or use a proxy integration',
  },
  {
    shows: (n, v) => n === 'x-amz-cf-id' || (n === 'via' && /cloudfront/i.test(v)),
    fix: 'CloudFront: add Authorization to the origin request policy; CloudFront does not forward it to the origin otherwise',
  },
  {
    shows: (n) => n === 'cf-ray',
    fix: 'Cloudflare passes Authorization on as sent: look for a Worker or a Transform Rule that removes request headers',
  },
  {
    shows: (n, v) => n.startsWith('x-kong-') || (n === 'via' && /kong/i.test(v)),
    fix: 'Kong: an authentication plugin with `hide_credentials: true` removes the credential before the upstream, as does request-transformer `remove.headers`',
  },
  {
    shows: (n, v) => n.startsWith('x-envoy-') || (n === 'server' && /envoy|istio/i.test(v)),
    fix: "Envoy or Istio: the jwt_authn filter removes the token unless its provider sets `forward: true`; check the route's `request_headers_to_remove`",
  },
  {
    shows: (n) => n === 'x-azure-ref' || n === 'x-ms-apim-request-id',
    fix: 'Azure Front Door or API Management: look for a rule or policy that deletes Authorization (`<set-header name="Authorization" exists-action="delete"/>`)',
  },
  {
    shows: (n, v) => n === 'x-varnish' || n === 'x-served-by' || (n === 'via' && /varnish/i.test(v)),
    fix: 'Varnish or Fastly: look for VCL that unsets `req.http.Authorization` (a common caching recipe)',
  },
];

/** Response header lines that say what stands between the client and the application. */
const TELLING =
  /^(via|server|forwarded|x-forwarded-.*|x-amzn-.*|x-amz-apigw-id|x-amz-cf-id|cf-ray|x-kong-.*|x-envoy-.*|x-azure-ref|x-ms-apim-request-id|x-varnish|x-served-by|x-cache)$/;

function stripPoints(context: Context): { evidence: string[]; fixes: string[]; proxied: boolean } {
  const lines = (context.primary.response?.headers ?? []).filter(([n]) => TELLING.test(n.toLowerCase()));
  const fixes: string[] = [];
  for (const layer of LAYERS)
    if (lines.some(([n, v]) => layer.shows(n.toLowerCase(), v)) && !fixes.includes(layer.fix)) fixes.push(layer.fix);
  const proxied = lines.some(([n]) => n.toLowerCase() !== 'server');
  return { evidence: lines.map(([n, v]) => `< ${n}: ${v}`), fixes, proxied };
}

export function fixText(context: Context, layers: ReturnType<typeof stripPoints>, scheme: string): string {
  const via = header(context.primary.response?.headers, 'via');
  const where = via
    ? `The proxy named in Via (${via}) or one behind it drops the Authorization header before the application sees it`
    : layers.proxied
      ? 'A proxy or gateway on the way (see its headers above) drops the Authorization header before the application sees it'
      : 'No proxy names itself in the answer, so look first at the web server in front of the application: its configuration drops Authorization unless told to pass it';
  const fixes = layers.fixes.length ? layers.fixes : [APACHE, NGINX];
  // Another way in that a proxy passes: an API-key header the server's challenge names.
  const alternative = context.challenges
    .filter((c) => c.scheme.toLowerCase() !== scheme.toLowerCase())
    .map(credentialExample)
    .find((example) => example.startsWith("-H '") && !example.startsWith("-H 'Authorization"));
  return [
    `${where}. Have it pass Authorization on: ${fixes.join('; ')}.`,
    alternative
      ? `Or send the credential the other way the server offers, which proxies pass: ${alternative}.`
      : 'Or, if the API accepts the credential in another header that the proxy passes (an API-key header), send it there.',
    layers.proxied
      ? ''
      : 'If nothing strips it, the API does not read credentials from this header: check which one it expects.',
  ]
    .filter(Boolean)
    .join(' ');
}
