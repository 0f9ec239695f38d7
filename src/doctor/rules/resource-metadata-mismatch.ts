import { statusLine } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/**
 * The API's challenge names protected resource metadata (RFC 9728 §5.1) that describes another
 * resource. RFC 9728 §3.3 (and §7.3, impersonation): a client MUST NOT use such a document, so a
 * strict client stops here, before it asks any authorization server for a token.
 */
export const resourceMetadataMismatch: Rule = {
  code: 'resource_metadata_mismatch',
  summary:
    "The protected resource metadata the API's challenge names (RFC 9728 `resource_metadata`) gives a `resource` that is not the URL called, so a client must refuse it (RFC 9728 §3.3).",
  rank: 4,
  check(context) {
    const foreign = context.foreignResourceMetadata;
    if (!foreign) return undefined;
    const called = context.primary.request.url;
    const resource = foreign.resource;
    return {
      code: 'resource_metadata_mismatch',
      severity: 'error',
      title: 'The API’s resource metadata names another resource',
      evidence: [
        `  called: ${called}`,
        `  resource metadata: ${foreign.url}`,
        `  its resource = ${resource === undefined ? '(none)' : JSON.stringify(resource)}`,
        statusLine(context.primary),
      ],
      fix:
        `A client must refuse resource metadata whose resource is not the URL it called (RFC 9728 §3.3), so no token can be found from here. ` +
        `Publish the API's own identifier as resource (its base URL as clients reach it, ${JSON.stringify(new URL(called).origin + '/')} or the path the request falls under), ` +
        'and name the document for this API in the challenge’s resource_metadata; behind a proxy, use the public URL.',
    };
  },
};
