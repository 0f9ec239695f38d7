/**
 * What the guard reads of a request: a Web Request has it all; the Node adapters pass a light
 * view over node:http's parsed headers instead, since building a Web Request costs more than
 * the authentication itself.
 */
export interface RequestView {
  method: string;
  /** The absolute URL. */
  url: string;
  /**
   * The request-target exactly as received on the request line (RFC 9112 §3.2), before any URL
   * parser resolved dot segments or a router took off a mount prefix. Adapters that see the wire
   * set it; otherwise it is the path and query of `url` as serialised.
   */
  target?: string;
  headers: { get(name: string): string | null; has(name: string): boolean };
  /** Only used to read the body for a scheme that needs it, when the adapter did not give it. */
  clone?(): { arrayBuffer(): Promise<ArrayBuffer> };
  /** The client's address, when the adapter knows it (the Node adapters read it from the socket). */
  readonly clientAddress?: string | undefined;
}
