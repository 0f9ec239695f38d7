/**
 * The little of oidc-provider's API the interop tests use (the package ships no declarations).
 * Its configuration is its own (documented in its docs/README.md) and passed through unchecked.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Grant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }
  interface Context {
    oidc: {
      session?: { accountId?: string };
      client?: { clientId: string; grantTypeAllowed(type: string): boolean };
      provider: Provider;
    };
  }
  class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    static errors: { InvalidTarget: new () => Error };
    Grant: new (properties: {
      clientId: string;
      accountId: string;
    }) => Grant;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionDetails(
      req: IncomingMessage,
      res: ServerResponse,
    ): Promise<{ prompt: { name: string; details: unknown }; params: Record<string, unknown> }>;
  }

  export type { Context };
  export default Provider;
}
