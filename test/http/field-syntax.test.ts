import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { equalsAsciiCaseless } from '../../src/http/field-syntax.ts';
import { anyString } from '../support/arbitraries.ts';

describe('equalsAsciiCaseless', () => {
  it('matches exactly the strings that lower-case to the name in ASCII, and nothing longer or shorter', () => {
    const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const name = fc.constantFrom('bearer', 'basic', 'digest', 'api-key', 'dpop');
    // Inputs near the names (case flips, a character more or less, look-alikes such as '@' for '`'),
    // and arbitrary strings.
    const near = fc
      .tuple(name, fc.array(fc.boolean(), { maxLength: 8 }), fc.constantFrom('', 'x', '\u0130', ' ', '`', '@'))
      .map(([n, flips, tail]) => [...n].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join('') + tail);
    fc.assert(
      fc.property(fc.oneof(near, anyString), name, (input, lower) => {
        assert.equal(equalsAsciiCaseless(input, lower), asciiLower(input) === lower);
      }),
      { numRuns: 3000 },
    );
  });
});
