/** The playground for a test file: started before its tests, closed after them. */
import { after, before } from 'node:test';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';

/** A JSON answer of the playground: status, headers, and the body parsed (undefined when empty). */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever fields the route answered
  body: any;
}

export interface PlaygroundPerFile {
  /** The playground's URL (no trailing slash), once it listens. */
  readonly url: string;
  /** The second port, another origin on the same host. */
  readonly otherUrl: string;
  /** Fetches `path` from the playground and reads the answer as JSON. */
  json(path: string, init?: RequestInit): Promise<JsonAnswer>;
}

/** Starts the playground before the calling file's tests and closes it after them. */
export function playgroundPerFile(): PlaygroundPerFile {
  let pg: Playground | undefined;
  before(async () => {
    pg = await startPlayground();
  });
  after(() => pg?.close());
  const started = () => {
    if (!pg) throw new Error('the playground starts before the tests of the file');
    return pg;
  };
  return {
    get url() {
      return started().url;
    },
    get otherUrl() {
      return started().otherUrl;
    },
    json: async (path, init = {}) => {
      const response = await fetch(started().url + path, init);
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    },
  };
}
