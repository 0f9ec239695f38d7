/**
 * The reason catalogue (http/reasons.ts), and the table of docs/reasons.md, which is the catalogue
 * row for row: a code added to reasons.ts without a row fails here (and the page is stale until
 * `npm run docs` writes it: test/architecture/docs-fresh.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getReason, isReasonCode, type ReasonCode, reasonCodes, reasons } from '../../src/http/index.ts';

const page = readFileSync(join(import.meta.dirname, '../../docs/reasons.md'), 'utf8');

/** Each code the table lists, with the status its row gives it (a row may list several codes and statuses `400 / 409`). */
function tableRows(): Array<{ code: string; status: number }> {
  const start = page.indexOf('| code | status |');
  assert.ok(start >= 0, 'the page has the reason table');
  // The reason table ends where the OAuth errors' section begins.
  const end = page.indexOf('\n## ', start);
  const section = page.slice(start, end < 0 ? undefined : end);
  const rows: Array<{ code: string; status: number }> = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const [codesCell = '', statusCell = ''] = line.split('|').slice(1);
    const codes = [...codesCell.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
    const statuses = statusCell.split('/').map((s) => Number.parseInt(s.trim(), 10));
    codes.forEach((code, i) => {
      rows.push({ code, status: statuses[statuses.length === 1 ? 0 : i]! });
    });
  }
  return rows;
}

describe('the reason catalogue', () => {
  it('holds every reason of DESIGN.md with the status it maps to', () => {
    const expected: Record<ReasonCode, number> = {
      credentials_missing: 401,
      credentials_malformed: 400,
      scheme_unsupported: 401,
      credentials_invalid: 401,
      token_expired: 401,
      token_not_yet_valid: 401,
      token_revoked: 401,
      token_audience_mismatch: 401,
      token_issuer_mismatch: 401,
      signature_invalid: 401,
      signature_expired: 401,
      signature_replayed: 401,
      dpop_proof_invalid: 401,
      dpop_nonce_required: 401,
      dpop_binding_mismatch: 401,
      insufficient_scope: 403,
      insufficient_user_authentication: 401,
      forbidden: 403,
      rate_limited: 429,
      locked_out: 429,
      idempotency_key_invalid: 400,
      idempotency_key_missing: 400,
      idempotency_key_in_use: 409,
      idempotency_key_reused: 422,
      request_invalid: 400,
      host_not_served: 421,
      body_too_large: 413,
      internal_error: 500,
      store_unavailable: 503,
      keys_unavailable: 503,
    };
    assert.deepStrictEqual(Object.fromEntries(reasonCodes.map((code) => [code, reasons[code].status])), expected);
  });

  it('gives RFC 6750 errors only where one applies', () => {
    // RFC 6750 §3.1: no error code when credentials are missing; invalid_request for malformed ones.
    assert.equal(reasons.credentials_missing.bearerError, undefined);
    assert.equal(reasons.credentials_malformed.bearerError, 'invalid_request');
    assert.equal(reasons.token_expired.bearerError, 'invalid_token');
    assert.equal(reasons.insufficient_scope.bearerError, 'insufficient_scope');
    assert.equal(reasons.insufficient_user_authentication.bearerError, 'insufficient_user_authentication');
    assert.equal(reasons.forbidden.bearerError, undefined);
    assert.equal(reasons.rate_limited.bearerError, undefined);
  });

  it('gives each reason its own code, a title, a hint and a stable type URI', () => {
    const types = new Set<string>();
    for (const code of reasonCodes) {
      const reason = reasons[code];
      assert.equal(reason.code, code);
      assert.ok(reason.title.length > 3 && reason.title.length < 60, reason.title);
      assert.ok(reason.hint.length > 30 && reason.hint.endsWith('.'), reason.hint);
      assert.equal(reason.type, `https://gatehouse.dev/reasons/${code}`);
      types.add(reason.type);
    }
    assert.equal(types.size, reasonCodes.length);
  });

  it('is frozen, so no caller can change what a code means', () => {
    assert.ok(Object.isFrozen(reasons));
    assert.ok(Object.isFrozen(reasons.token_expired));
    assert.throws(() => {
      (reasons.token_expired as { status: number }).status = 200;
    }, TypeError);
  });

  it('looks codes up without reaching Object.prototype', () => {
    assert.equal(isReasonCode('token_expired'), true);
    assert.equal(isReasonCode('toString'), false);
    assert.equal(isReasonCode('__proto__'), false);
    assert.equal(getReason('constructor'), undefined);
    assert.equal(getReason(42), undefined);
  });
});

describe("docs/reasons.md's reason table", () => {
  it('lists every code of the catalogue exactly once, and no other', () => {
    const listed = tableRows().map((row) => row.code);
    assert.deepEqual([...listed].sort(), [...reasonCodes].sort());
  });

  it('gives each code the status the catalogue maps it to', () => {
    for (const { code, status } of tableRows())
      assert.equal(status, reasons[code as keyof typeof reasons]?.status, `row for ${code}`);
  });
});
