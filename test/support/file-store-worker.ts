// A separate process that refreshes through a shared file store: argv = file, token URL, rejected token.
import { fileTokenStore } from '../../src/client/file-store.ts';
import { tokenSource } from '../../src/client/index.ts';

const [file, tokenUrl, rejected] = process.argv.slice(2) as [string, string, string];
const source = tokenSource(
  async () => {
    const response = await fetch(tokenUrl, { method: 'POST' });
    return response.json();
  },
  { store: fileTokenStore(file) },
);
// Wait for the go signal so both processes ask at the same moment.
process.stdin.once('data', async () => {
  const token = await source.getToken({ rejected });
  process.stdout.write(JSON.stringify(token));
  process.exit(0);
});
process.stdout.write('ready\n');
