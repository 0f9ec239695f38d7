import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecret } from '../../src/http/index.ts';

describe('maskSecret', () => {
  it('shows the first and last four characters of a long secret', () => {
    assert.equal(maskSecret('eyJhbGciOiJIUzI1NiJ9.payload.signature'), 'eyJh…ture');
  });

  it('shows nothing of a secret too short to keep its secrecy with eight characters shown', () => {
    for (const secret of ['', 'a', 'hunter2', 'fifteen-chars!!']) assert.equal(maskSecret(secret), '…');
  });
});
