/**
 * Where a URL a server chose may not lead: link-local addresses and the cloud metadata endpoints,
 * checked on the host as written and again on every address a name resolves to.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isLinkLocal } from '../http/link-local-address.ts';

export { isLinkLocal };

/** dns.lookup, refusing a name that resolves to a link-local address. */
export const refuseLinkLocal: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isLinkLocal(a.address));
    if (bad)
      return callback(
        Object.assign(
          new Error(
            `${hostname} resolves to the link-local address ${bad.address}, which a server's URL may not lead to`,
          ),
          {
            code: 'ERR_GATEHOUSE_LINK_LOCAL',
          },
        ),
        '',
        4,
      );
    if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};
