// Refreshes a token through a shared file store, as fast as it can, until it is killed.
// argv: token-file token-url
import { fileTokenStore } from '../../src/client/file-store.ts';
import { oauth2RefreshToken } from '../../src/client/index.ts';

const [file, tokenUrl] = process.argv.slice(2) as [string, string];
const source = oauth2RefreshToken({
  tokenUrl,
  clientId: 'crash',
  refreshToken: 'rt-0',
  store: fileTokenStore(file),
  skewMs: 0,
});
process.stdout.write('ready\n');
for (;;) {
  const token = await source.getToken();
  // Refuse it ourselves, so the next call refreshes: a refresh as often as the loop turns.
  await source.getToken({ rejected: token.accessToken }).catch(() => {});
}
