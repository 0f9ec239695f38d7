/**
 * Preloaded into a CLI run (`--import`, see faultyStdout() in cli.ts): every write to stdout
 * throws, so that what the CLI does with an error it did not expect can be tested. The message
 * holds a marker that must only appear with GATEHOUSE_DEBUG=1.
 */
const code = process.env['GATEHOUSE_TEST_FAULT'];
process.stdout.write = () => {
  if (code) throw Object.assign(new Error('the fault explained itself'), { code });
  throw new TypeError('fault-marker-7f3a: not a real bug');
};
