/** forbidden_instead_of_401: a 403 to a request without credentials, where RFC 9110 §15.5.2 asks for 401 and a challenge. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { doctorRecording } from '../../support/doctor-runs.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const run = doctorRecording(serve);

describe('forbidden_instead_of_401', () => {
  it('a 403 to a request without credentials is the error to explain', async () => {
    const { report } = await run((_req, res) => json(res, 403, { detail: 'Not authenticated' }));
    const found = report.findings[0]!;
    assert.equal(found.code, 'forbidden_instead_of_401');
    assert.equal(found.severity, 'error');
    assert.ok(found.evidence.includes('> (no credentials)'));
    assert.ok(found.evidence.includes('< detail: "Not authenticated"'));
  });
});
