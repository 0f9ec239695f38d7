/**
 * The key a client's address counts under, for every counter keyed by who is asking (login
 * protection). One client must have one key: an IPv4 client reached through a dual-stack socket
 * shows up as `::ffff:1.2.3.4`, and an IPv6 client usually holds a whole /64 and picks any
 * address in it, so keying on the raw socket address would hand out a fresh budget per spelling.
 */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * `1.2.3.4` for an IPv4 client however it is written (IPv4-mapped IPv6 included), `2001:db8:0:1::/64`
 * for an IPv6 client (its /64, lower case, zone id dropped), undefined for anything that is not an
 * address.
 * @example clientAddressKey('::ffff:127.0.0.1') // '127.0.0.1'
 */
export function clientAddressKey(address: string | undefined): string | undefined {
  // The longest IPv6 text form (with an embedded IPv4 and a zone id) is well under 100 characters.
  if (typeof address !== 'string' || address.length > 100) return undefined;
  if (isIPv4(address)) return address;
  // RFC 4007 §11: the zone id after % names the interface it arrived on, not the client.
  const zone = address.indexOf('%');
  const ip = zone === -1 ? address : address.slice(0, zone);
  if (zone !== -1 && zone === address.length - 1) return undefined;
  if (!isIPv6(ip)) return undefined;
  const groups = ipv6Groups(ip.toLowerCase());
  if (!groups) return undefined;
  // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is the IPv4 client a.b.c.d.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  // RFC 7421: a /64 is what one subscriber gets; keying finer lets them rotate through 2^64 budgets.
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an address node:net accepted as IPv6 (without its zone id). */
function ipv6Groups(ip: string): number[] | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        // An embedded IPv4 address (RFC 4291 §2.2, form 3) fills the last two groups.
        const octets = piece.split('.').map(Number);
        out.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
      } else out.push(Number.parseInt(piece, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}
