/** curl's options, read, as the request the doctor probes with: method, headers, cookies, user, body. */
import { redactUrl } from '../http/redact-url.ts';
import { CurlCommandError } from './curl-command-error.ts';

/** The request, in the doctor's own terms (DiagnoseOptions' url, method, headers, basic, data). */
export interface CurlRequest {
  url: string;
  /** Absent when curl would send GET. */
  method?: string;
  headers: Array<[string, string]>;
  /** `-u user:password`. */
  basic?: string;
  data?: string;
}

/** The options read, in order, and the URLs given: the request, or the mistake that prevents one. */
export function buildRequest(
  options: ReadonlyArray<[string, string | undefined]>,
  urls: readonly string[],
): CurlRequest {
  if (urls.length === 0) throw new CurlCommandError('curl_no_url', 'the curl command has no URL');
  if (urls.length > 1)
    throw new CurlCommandError('curl_second_url', `a second URL, ${redactUrl(urls[1]!)}: paste one request at a time`);
  let url: URL;
  try {
    url = new URL(urls[0]!);
  } catch {
    throw new CurlCommandError('curl_bad_url', 'the URL is not an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CurlCommandError('curl_bad_url', `the URL is ${url.protocol} and the doctor speaks http and https`);

  let method: string | undefined;
  let get = false;
  let head = false;
  let basic: string | undefined;
  const headers: Array<[string, string]> = [];
  const cookies: string[] = [];
  const data: string[] = [];
  for (const [name, value = ''] of options) {
    if (name === '--request') method = value;
    else if (name === '--get') get = true;
    else if (name === '--head') head = true;
    else if (name === '--header') headers.push(header(value));
    else if (name === '--user-agent') headers.push(['User-Agent', value]);
    else if (name === '--referer') headers.push(['Referer', value]);
    else if (name === '--oauth2-bearer') headers.push(['Authorization', `Bearer ${value}`]);
    else if (name === '--cookie') {
      // curl reads a value without '=' as a cookie file name.
      if (!value.includes('=')) throw fileRefused('-b/--cookie', 'a cookie file');
      cookies.push(value);
    } else if (name === '--user') {
      if (!value.includes(':'))
        throw new CurlCommandError('curl_user_prompt', '-u needs user:password (curl would ask for the password)');
      basic = value;
    } else if (name === '--data-urlencode') data.push(urlencoded(value));
    else if (name === '--data-raw') data.push(value);
    else if (name.startsWith('--data')) {
      // curl reads @name as a file; --data and --data-ascii also drop CR and LF, --data-binary does not.
      if (value.startsWith('@')) throw fileRefused('-d/--data', 'a data file');
      data.push(name === '--data-binary' ? value : value.replace(/[\r\n]/g, ''));
    }
  }
  if (cookies.length) headers.push(['Cookie', cookies.join('; ')]);
  const request: CurlRequest = { url: urls[0]!, headers };
  if (data.length && get) {
    // -G: the data goes into the query string and the request stays GET.
    request.url = `${request.url}${request.url.includes('?') ? '&' : '?'}${data.join('&')}`;
  } else if (data.length) {
    request.data = data.join('&');
    if (!headers.some(([n]) => n.toLowerCase() === 'content-type'))
      headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  const implied = head ? 'HEAD' : data.length && !get ? 'POST' : undefined;
  if (method ?? implied) request.method = (method ?? implied)!;
  if (basic !== undefined) request.basic = basic;
  return request;
}

function header(line: string): [string, string] {
  // curl: "Name;" sends an empty header; "Name:" would remove one, which is nothing to send.
  if (/^[^:\s]+;$/.test(line)) return [line.slice(0, -1), ''];
  const colon = line.indexOf(':');
  if (colon <= 0) throw new CurlCommandError('curl_bad_header', "a -H header has no 'Name: value' form");
  return [line.slice(0, colon).trim(), line.slice(colon + 1).replace(/^ /, '')];
}

/** --data-urlencode's forms: content, =content, name=content (name@file and @file are files). */
function urlencoded(value: string): string {
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at >= 0 && (eq < 0 || at < eq)) throw fileRefused('--data-urlencode', 'a data file');
  if (eq < 0) return encodeURIComponent(value);
  const name = value.slice(0, eq);
  return `${name ? `${name}=` : ''}${encodeURIComponent(value.slice(eq + 1))}`;
}

function fileRefused(option: string, what: string): CurlCommandError {
  return new CurlCommandError(
    'curl_file',
    `${option} names ${what}, which the doctor does not read; paste its content`,
  );
}
