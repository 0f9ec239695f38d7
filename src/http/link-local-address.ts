/**
 * Link-local and cloud-metadata addresses, read from a host as written: pure, so that the client
 * (in browsers too) and the doctor refuse the same hosts a server chose.
 */

/**
 * Where a URL a server chose may not lead: 169.254.0.0/16 and fe80::/10 (RFC 3927, RFC 4291
 * §2.5.6), also with the IPv4 address carried in the last 32 bits of an IPv6 one (IPv4-mapped
 * ::ffff:0:0/96, SIIT's IPv4-translated ::ffff:0:0:0/96, NAT64's 64:ff9b::/96, RFC 6052), and the
 * cloud metadata endpoints outside those ranges (AWS over IPv6 at fd00:ec2::254, Alibaba at
 * 100.100.100.200). A host as Node's URL parser leaves it (decimal, hex and octal IPv4 are already
 * dotted quads, IPv6 compressed hex) or as a resolver answers it.
 */
export function isLinkLocal(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = ipv4(bare);
  if (v4) return metadataV4(v4);
  const groups = ipv6(bare);
  if (!groups) return false;
  if ((groups[0]! & 0xffc0) === 0xfe80) return true;
  if (groups.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) return true;
  const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const embeds =
    (zero(0, 5) && groups[5] === 0xffff) ||
    (zero(0, 4) && groups[4] === 0xffff && groups[5] === 0) ||
    (groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6));
  return embeds && metadataV4([groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff]);
}

const metadataV4 = (a: number[]) => (a[0] === 169 && a[1] === 254) || a.join('.') === '100.100.100.200';

function ipv4(text: string): number[] | undefined {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)?.slice(1).map(Number);
  return parts?.every((p) => p <= 255) ? parts : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad allowed), or undefined. */
function ipv6(text: string): number[] | undefined {
  if (!text.includes(':')) return undefined;
  let rest = text;
  const tail: number[] = [];
  const quad = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(rest);
  if (quad) {
    const v4 = ipv4(quad[1]!);
    if (!v4) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    rest = `${rest.slice(0, quad.index)}:`;
    if (rest.endsWith('::')) rest = `${rest}0`;
    else rest = rest.slice(0, -1);
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const read = (half: string) => (half ? half.split(':') : []);
  const [head, after] = [read(halves[0]!), halves.length === 2 ? read(halves[1]!) : []];
  if (![...head, ...after].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const missing = 8 - tail.length - head.length - after.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  return [...head, ...Array(missing).fill('0'), ...after].map((g) => parseInt(g, 16)).concat(tail);
}
