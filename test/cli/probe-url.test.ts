/**
 * The doctor's URL is refused, not guessed: without http:// or https:// it is bad usage (64), with
 * the URL it probably meant — unless repeating it would print a user or a query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouse } from '../support/cli.ts';

const POINTER = ' (gatehouse doctor --help shows the usage)\n';

describe("the doctor's URL", () => {
  for (const [typed, said] of [
    ['localhost:8080/api/me', 'a URL needs http:// or https://: did you mean http://localhost:8080/api/me?'],
    ['127.0.0.1:8000/users/me', 'a URL needs http:// or https://: did you mean http://127.0.0.1:8000/users/me?'],
    ['api.example.com/me', 'a URL needs http:// or https://: did you mean https://api.example.com/me?'],
    ['alice:s3cret-pass@api.example.com/me', 'a URL needs http:// or https://'],
    ['api.example.com/me?access_token=s3cret-token', 'a URL needs http:// or https://'],
    ['me', 'a URL needs http:// or https://'],
    ['ftp://files.example.com/x', 'only http:// and https:// URLs can be probed'],
    ['ws://api.example.com/socket', 'only http:// and https:// URLs can be probed'],
  ] as const) {
    it(`${typed}: exit 64, ${said.includes('did you mean') ? 'with a suggestion' : 'not repeated'}`, async () => {
      const { code, stdout, stderr } = await gatehouse('doctor', typed, '--bearer', 'tok');
      assert.equal(code, 64, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr, `gatehouse doctor: ${said}${POINTER}`);
    });
  }
});
