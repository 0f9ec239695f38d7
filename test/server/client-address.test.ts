/** The key a client address counts under: one per IPv4 address, one per IPv6 /64, none for garbage. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddressKey } from '../../src/server/index.ts';

const SAME_64 = '2001:db8:85a3:0::/64';

const vectors: Array<[input: string | undefined, key: string | undefined]> = [
  // IPv4 as node:net gives it.
  ['1.2.3.4', '1.2.3.4'],
  ['127.0.0.1', '127.0.0.1'],
  ['255.255.255.255', '255.255.255.255'],
  // IPv4-mapped IPv6 (RFC 4291 §2.5.5.2): the IPv4 client it is, in every spelling.
  ['::ffff:1.2.3.4', '1.2.3.4'],
  ['::FFFF:1.2.3.4', '1.2.3.4'],
  ['::ffff:0102:0304', '1.2.3.4'],
  ['::ffff:102:304', '1.2.3.4'],
  ['0:0:0:0:0:ffff:102:304', '1.2.3.4'],
  ['0000:0000:0000:0000:0000:FFFF:0102:0304', '1.2.3.4'],
  ['::ffff:127.0.0.1', '127.0.0.1'],
  ['::ffff:7f00:1', '127.0.0.1'],
  ['::ffff:1.2.3.4%eth0', '1.2.3.4'],
  // IPv6: one client holds a whole /64 (RFC 7421), so it counts as one.
  ['2001:db8:85a3:0:0:8a2e:370:7334', SAME_64],
  ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', SAME_64],
  ['2001:db8:85a3::8a2e:370:7334', SAME_64],
  ['2001:DB8:85A3::1', SAME_64],
  ['2001:db8:85a3:0:ffff:ffff:ffff:ffff', SAME_64],
  ['2001:db8:85a3::', SAME_64],
  ['2001:db8:85a3:0:0:0:1.2.3.4', SAME_64],
  ['2001:db8:85a3:1::1', '2001:db8:85a3:1::/64'],
  ['::1', '0:0:0:0::/64'],
  ['::', '0:0:0:0::/64'],
  // Zone ids (RFC 4007 §11) name the sender's interface, not the client.
  ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ['fe80::abcd:1%25en0', 'fe80:0:0:0::/64'],
  ['FE80::2%3', 'fe80:0:0:0::/64'],
  // Garbage has no key: the caller decides what an unknown client counts as.
  [undefined, undefined],
  ['', undefined],
  ['unknown', undefined],
  ['a b', undefined],
  ['1.2.3', undefined],
  ['256.1.1.1', undefined],
  ['1.2.3.4.5', undefined],
  ['01.2.3.4', undefined],
  ['1.2.3.4%eth0', undefined],
  [' 1.2.3.4', undefined],
  ['[::1]', undefined],
  ['[::1]:443', undefined],
  ['1.2.3.4:80', undefined],
  [':::1', undefined],
  ['1::2::3', undefined],
  ['12345::1', undefined],
  ['g::1', undefined],
  ['1:2:3:4:5:6:7:8:9', undefined],
  ['::ffff:1.2.3.256', undefined],
  ['fe80::1%', undefined],
  ['%eth0', undefined],
  ['::1\u0000', undefined],
  [`${'1:'.repeat(5000)}1`, undefined],
];

describe('clientAddressKey', () => {
  for (const [input, key] of vectors) {
    it(`${JSON.stringify(input)?.slice(0, 40)} → ${JSON.stringify(key)}`, () => {
      assert.equal(clientAddressKey(input), key);
    });
  }

  it('is the same for every spelling of one client, and different for different clients', () => {
    const keys = new Set(vectors.filter(([, key]) => key === SAME_64).map(([input]) => clientAddressKey(input)));
    assert.deepStrictEqual([...keys], [SAME_64]);
    assert.notEqual(clientAddressKey('1.2.3.4'), clientAddressKey('1.2.3.5'));
    assert.notEqual(clientAddressKey('::1.2.3.4'), clientAddressKey('1.2.3.4'), 'IPv4-compatible is not IPv4-mapped');
  });
});
