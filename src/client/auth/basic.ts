import { formatAuthorization } from '../../http/index.ts';
import { type AuthStrategy, oneSendStrategy } from '../auth-flow.ts';

/**
 * HTTP Basic (RFC 7617): `Authorization: Basic base64(user:password)`, UTF-8 encoded, sent with
 * every request (not only after a 401). A 401 is final: the same pair will not do better.
 *
 * @throws TypeError (coded) when the username contains ":" or either part a control character.
 */
export function basic(username: string, password: string): AuthStrategy {
  const header = formatAuthorization({ kind: 'basic', username, password });
  return oneSendStrategy({ name: 'basic' }, (request) => void request.headers.set('authorization', header));
}
