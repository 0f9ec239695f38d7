/**
 * One entry of a HAR file, read defensively: a file is written by a browser, an extension or a
 * hand, so every field is checked before it is used. An entry is a 401 or 403 to diagnose (or a
 * token endpoint's 400 to a code redemption), an answer of another status (not the doctor's
 * business), or unreadable, with the reason.
 */
import { redactUrl } from '../http/index.ts';

/** A recorded 401 or 403, or a refused code redemption: what the doctor reads of it. */
export interface HarExchange {
  method: string;
  url: string;
  requestHeaders: Array<[string, string]>;
  /** The form a token request sent (`postData`), when the entry is one. */
  requestBody?: string;
  status: number;
  statusText: string;
  responseHeaders: Array<[string, string]>;
  body: string;
}

export type HarEntryReading =
  | { kind: 'exchange'; exchange: HarExchange }
  | { kind: 'other-status' }
  /** `request` names the entry as a note may show it: its method and its URL without secrets. */
  | { kind: 'unreadable'; request: string; reason: string };

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// RFC 9110 §9.1: a method is a token; a note shows it only then (anything else may be anything).
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/;

export function readHarEntry(raw: unknown): HarEntryReading {
  if (!isObject(raw)) return { kind: 'unreadable', request: '?', reason: 'it is not an object' };
  const request = isObject(raw['request']) ? raw['request'] : undefined;
  const response = isObject(raw['response']) ? raw['response'] : undefined;
  const method = request?.['method'] ?? 'GET';
  const url = request?.['url'];
  const label = `${typeof method === 'string' && METHOD.test(method) ? method : '?'} ${typeof url === 'string' ? redactUrl(url) : '?'}`;
  const refuse = (reason: string): HarEntryReading => ({ kind: 'unreadable', request: label, reason });

  if (!response) return refuse('response is missing');
  const status = response['status'];
  if (typeof status !== 'number') return refuse('response.status is not a number');
  const body = status === 400 ? redemptionBody(request) : undefined;
  if (status !== 401 && status !== 403 && body === undefined) return { kind: 'other-status' };
  if (!request) return refuse('request is missing');
  if (url === undefined) return refuse('request.url is missing');
  if (typeof url !== 'string') return refuse('request.url is not a string');
  if (typeof method !== 'string') return refuse('request.method is not a string');
  if (!METHOD.test(method)) return refuse('request.method is not an HTTP method');
  const requestHeaders = headerList(request['headers']);
  if (!requestHeaders) return refuse('request.headers is not a list');
  const responseHeaders = headerList(response['headers']);
  if (!responseHeaders) return refuse('response.headers is not a list');
  if (!URL.canParse(url)) return refuse('request.url is not a URL');
  const content = isObject(response['content']) ? response['content'] : {};
  return {
    kind: 'exchange',
    exchange: {
      method,
      url,
      // HTTP/2 pseudo-headers (:authority, :path…) are the request line, not headers to send.
      requestHeaders: requestHeaders.filter(([name]) => !name.startsWith(':')),
      ...(body !== undefined ? { requestBody: body } : {}),
      status,
      statusText: typeof response['statusText'] === 'string' ? response['statusText'] : '',
      responseHeaders,
      body: typeof content['text'] === 'string' ? content['text'] : '',
    },
  };
}

/** A HAR header list as name/value pairs, items without a string name and value left out; undefined when it is no list. */
function headerList(value: unknown): Array<[string, string]> | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  return value.flatMap(
    (item): Array<[string, string]> =>
      isObject(item) && typeof item['name'] === 'string' && typeof item['value'] === 'string'
        ? [[item['name'], item['value']]]
        : [],
  );
}

/** The largest form read from a HAR entry: a token request is a few hundred bytes. */
const MAX_FORM = 65_536; // characters

/** A request's form body (`postData.text`, or its `params`), when it has one of reasonable size. */
export function formBody(request: Fields | undefined): string | undefined {
  const post = isObject(request?.['postData']) ? request['postData'] : undefined;
  if (!post) return undefined;
  if (typeof post['text'] === 'string') return post['text'].length <= MAX_FORM ? post['text'] : undefined;
  if (!Array.isArray(post['params'])) return undefined;
  const pairs = post['params'].flatMap(
    (p): Array<[string, string]> =>
      isObject(p) && typeof p['name'] === 'string' && typeof p['value'] === 'string' ? [[p['name'], p['value']]] : [],
  );
  const text = new URLSearchParams(pairs).toString();
  return text.length <= MAX_FORM ? text : undefined;
}

/** RFC 6749 §4.1.3: a POST whose form redeems an authorization code; its body, when the request is one. */
export function redemptionBody(request: Fields | undefined): string | undefined {
  if (typeof request?.['method'] !== 'string' || request['method'].toUpperCase() !== 'POST') return undefined;
  const body = formBody(request);
  return body !== undefined && new URLSearchParams(body).get('grant_type') === 'authorization_code' ? body : undefined;
}
