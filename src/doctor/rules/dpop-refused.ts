import type { ReasonCode } from '../../http/index.ts';
import { decodeJwt } from '../../http/jwt.ts';
import { relative } from '../jwt.ts';
import { authorizationScheme, boundJkt, decodedProof, proofKeyJkt } from '../readings/dpop.ts';
import { received, sent, serverWords, statusLine, statusOf } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import type { Context, DecodedJwt, Rule } from '../types.ts';

/** How far a proof's iat may be from the server's clock before Gatehouse refuses it (its default window). */
const IAT_WINDOW = 60;

type Cause = { reason: ReasonCode; title: string; evidence: string[]; fix: string };

/** The DPoP reason the server refused with: its problem code, or its DPoP challenge's error (RFC 9449 §7.1). */
function dpopReason(context: Context): ReasonCode | undefined {
  const code = context.problem?.['code'];
  if (code === 'dpop_proof_invalid' || code === 'dpop_nonce_required' || code === 'dpop_binding_mismatch') return code;
  const dpop = context.challenges.find((c) => c.scheme.toLowerCase() === 'dpop');
  const error = dpop?.params['error']?.toLowerCase();
  if (error === 'use_dpop_nonce') return 'dpop_nonce_required';
  if (error === 'invalid_dpop_proof') return 'dpop_proof_invalid';
  // RFC 9449 §7.1 has no error of its own for a token and proof of different keys: invalid_token, said in words.
  if (error === 'invalid_token' && /\bbound\b/i.test(dpop?.params['error_description'] ?? ''))
    return 'dpop_binding_mismatch';
  return undefined;
}

/** Whether the server's challenges offer this scheme (lower-case): a fix advises no other. */
const offers = (context: Context, scheme: string) => context.challenges.some((c) => c.scheme.toLowerCase() === scheme);

/** The proof's claim as evidence: a string or number claim only, cut short (never the proof itself). */
const claim = (proof: DecodedJwt, name: string) => JSON.stringify(String(proof.payload[name] ?? '').slice(0, 200));
const withoutQuery = (url: string) => {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.origin}${parsed.pathname}` : url;
};

/** A bound token (cnf.jkt) sent as Bearer, or as DPoP with no proof or several. */
function proofMissing(context: Context, scheme: string): Cause | undefined {
  const proofs = context.dpop?.proofs ?? [];
  const jkt = boundJkt(context.jwt);
  if (scheme === 'bearer' && jkt !== undefined)
    return {
      reason: 'dpop_binding_mismatch',
      title: 'A DPoP-bound access token was sent as Bearer, without a DPoP proof',
      evidence: [
        ...sent(context.primary, 'authorization'),
        `  the token is bound to a key: cnf.jkt ${JSON.stringify(jkt)}`,
      ],
      fix: offers(context, 'dpop')
        ? 'Send it as `Authorization: DPoP <token>` with a `DPoP` header holding a proof signed by that key, made for this request (RFC 9449 §7.1).'
        : 'This API takes no DPoP (its challenge offers no DPoP scheme): ask for a token without a DPoP proof in the token request, and send that one as Bearer (RFC 9449 §7.1).',
    };
  if (scheme !== 'dpop' || proofs.length === 1) return undefined;
  return {
    reason: 'dpop_proof_invalid',
    title:
      proofs.length === 0
        ? 'The DPoP token was sent without a DPoP proof'
        : `${proofs.length} DPoP proofs were sent; exactly one is read`,
    evidence: [
      ...sent(context.primary, 'authorization'),
      proofs.length === 0 ? '> (no DPoP header)' : `> ${proofs.length} DPoP header values`,
    ],
    fix: 'Add one `DPoP` header with a fresh proof for this request (RFC 9449 §4.3 point 1: exactly one).',
  };
}

/** The server wants its nonce in the proof (RFC 9449 §8, §9). */
function nonceWanted(context: Context, proof: DecodedJwt | undefined): Cause {
  const given = proof?.payload['nonce'];
  return {
    reason: 'dpop_nonce_required',
    title:
      given === undefined
        ? 'The server requires a DPoP nonce and the proof carried none'
        : "The proof's DPoP nonce is not one the server accepts now",
    evidence: [
      `  proof nonce ${given === undefined ? '(none)' : 'present'}`,
      ...received(context.primary, 'dpop-nonce'),
    ],
    fix: 'This refusal is part of the protocol: the client must retry once with a new proof whose `nonce` is the DPoP-Nonce header just received (and keep using the latest DPoP-Nonce the server sends).',
  };
}

/**
 * The token and the proof are not of one key (RFC 9449 §7.1): an unbound token sent as DPoP, or a
 * bound one with a proof of another key, both thumbprints shown (a key's, never the key or proof).
 */
function bindingMismatch(context: Context, proof: DecodedJwt | undefined): Cause {
  const token = decodeJwt(authorizationScheme(context)?.credential ?? '');
  const bound = boundJkt(token);
  const says = serverWords(context.primary);
  const server = says ? [`< ${JSON.stringify(says.slice(0, 200))}`] : [];
  if (token && bound === undefined)
    return {
      reason: 'dpop_binding_mismatch',
      title: 'The access token is not bound to a DPoP key, and the DPoP scheme takes only bound tokens',
      evidence: [...sent(context.primary, 'authorization'), '  the token has no cnf.jkt', ...server],
      fix: offers(context, 'bearer')
        ? 'Send it as `Authorization: Bearer <token>`, without a proof; or ask for a bound token with a DPoP proof in the token request (RFC 9449 §5).'
        : 'This API takes only DPoP: ask for a bound token, with a token request that carries a DPoP proof (RFC 9449 §5), and sign each request’s proof with that key.',
    };
  const proofJkt = proof ? proofKeyJkt(proof) : undefined;
  const keys =
    bound !== undefined && proofJkt !== undefined
      ? [
          `  the token is bound to the key cnf.jkt ${JSON.stringify(bound)}`,
          `  the proof is signed by the key ${JSON.stringify(proofJkt)}`,
        ]
      : [];
  return {
    reason: 'dpop_binding_mismatch',
    title: 'The DPoP proof is signed with another key than the one the token is bound to',
    evidence: [...keys, ...server],
    fix: 'Sign every proof with the key the token was issued to (the key of the token request’s proof); a new key needs a new token. A token sent with another key’s proof is also what a stolen token looks like (RFC 9449 §7.1).',
  };
}

/** The proof was sent before: in the HAR file, or as the server says. */
function replayed(context: Context, proof: DecodedJwt): Cause | undefined {
  const earlier = context.dpop?.replayOf;
  const says = /already used|replay/i.test(serverWords(context.primary) ?? '');
  if (earlier === undefined && !says) return undefined;
  return {
    reason: 'dpop_proof_invalid',
    title: 'The DPoP proof was sent before: a proof is good for one request',
    evidence: [
      `  proof jti ${claim(proof, 'jti')}${earlier !== undefined ? `, the same as the proof of log.entries[${earlier}]` : ''}`,
      ...(says ? [`< ${JSON.stringify(serverWords(context.primary)!.slice(0, 200))}`] : []),
    ],
    fix: 'Make a new proof (new jti, current iat) for every request, retries included (RFC 9449 §11.1); never cache or share proofs.',
  };
}

/** The proof's htu is not the URL called, or not the URL the server sees (a proxy rewrote it). */
function htuMismatch(context: Context, proof: DecodedJwt): Cause | undefined {
  const htu = proof.payload['htu'];
  const called = withoutQuery(context.url.href);
  const expected = /htu must be (\S+?) \(/.exec(serverWords(context.primary) ?? '')?.[1];
  const signed = typeof htu === 'string' ? withoutQuery(htu) : undefined;
  if (signed !== called)
    return {
      reason: 'dpop_proof_invalid',
      title: "The DPoP proof's htu is not the URL called",
      evidence: [`  proof htu ${claim(proof, 'htu')}`, `  URL called ${JSON.stringify(called)}`],
      fix: 'Make the proof for the URL the request goes to: htu is its scheme, host and path, without query (RFC 9449 §4.2).',
    };
  if (expected === undefined || expected === called) return undefined;
  return {
    reason: 'dpop_proof_invalid',
    title: 'The server sees another URL than the one called: a proxy rewrote the scheme, host or path prefix',
    evidence: [
      `  proof htu ${claim(proof, 'htu')} (the URL called)`,
      `< the server expects htu ${JSON.stringify(expected)}`,
    ],
    fix: "Set publicBaseUrl on the server's DPoP options (proof.publicBaseUrl) to the public URL clients call, or have the proxy keep the URL; a client cannot sign the internal URL it never calls.",
  };
}

/** The proof's htm is not the request's method. */
function htmMismatch(context: Context, proof: DecodedJwt): Cause | undefined {
  const method = context.primary.request.method;
  if (proof.payload['htm'] === method) return undefined;
  return {
    reason: 'dpop_proof_invalid',
    title: "The DPoP proof's htm is not the request's method",
    evidence: [`  proof htm ${claim(proof, 'htm')}`, `> ${method} (the method sent)`],
    fix: `Make the proof with htm ${method}.`,
  };
}

/** The proof's iat is off the server's clock by more than the window (RFC 9449 §11.1). */
function iatSkew(context: Context, proof: DecodedJwt): Cause | undefined {
  const iat = proof.payload['iat'];
  if (typeof iat !== 'number') return undefined;
  const clock = context.serverDate ?? context.localDate;
  const skew = iat * 1000 - clock;
  if (Math.abs(skew) <= IAT_WINDOW * 1000) return undefined;
  const by = relative(Math.abs(skew)).replace('in ', '');
  return {
    reason: 'dpop_proof_invalid',
    title: `The DPoP proof's iat is ${by} ${skew > 0 ? 'ahead of' : 'behind'} the server's clock`,
    evidence: [
      `  proof iat ${new Date(iat * 1000).toISOString()}`,
      ...(context.serverDate !== undefined
        ? received(context.primary, 'date')
        : [`  local clock ${new Date(clock).toISOString()}`]),
    ],
    fix: 'Make the proof just before sending it, and synchronize the clock that signs it (NTP): servers accept an iat about a minute either way.',
  };
}

function cause(context: Context): Cause | undefined {
  const scheme = authorizationScheme(context)?.scheme ?? '';
  const missing = proofMissing(context, scheme);
  if (missing) return missing;
  const reason = dpopReason(context);
  if (reason === undefined || scheme !== 'dpop') return undefined;
  const proof = decodedProof(context);
  if (reason === 'dpop_nonce_required') return nonceWanted(context, proof);
  if (reason === 'dpop_binding_mismatch') return bindingMismatch(context, proof);
  if (!proof) return undefined;
  return (
    replayed(context, proof) ?? htuMismatch(context, proof) ?? htmMismatch(context, proof) ?? iatSkew(context, proof)
  );
}

/** A DPoP request refused for its proof (RFC 9449): which part of the proof, with the proof's own claims as evidence. */
export const dpopRefused: Rule = {
  code: 'dpop_refused',
  summary:
    'A DPoP request was refused for its proof (RFC 9449): no proof (or a bound token sent as Bearer), a token bound to another key than the proof’s (or to none), the server’s nonce wanted, a proof sent twice, an htu or htm that is not the request’s (a proxy that rewrote the URL), or an iat off the server’s clock.',
  rank: 6,
  check(context) {
    const status = statusOf(context);
    if (status !== 401 && status !== 400) return undefined;
    const found = cause(context);
    if (!found) return undefined;
    return {
      code: 'dpop_refused',
      severity: 'error',
      title: found.title,
      evidence: [...found.evidence, statusLine(context.primary), ...received(context.primary, 'www-authenticate')],
      fix: `${hint(found.reason)} ${found.fix}`,
    };
  },
};
