/** `gatehouse/doctor`: names the cause of a 401 with evidence and the fix. */
export {
  CurlCommandError,
  type CurlCommandErrorCode,
  type CurlRequest,
  parseCurlArgs,
  parseCurlCommand,
  splitShellWords,
} from './curl-command.ts';
export { type DiagnoseOptions, diagnose, exitCode } from './diagnose.ts';
export { diagnoseHar, HarError } from './har.ts';
export {
  type KeySet,
  KeyOptionError,
  keysFromIssuer,
  keysFromJwks,
  keysFromOption,
  type VerifyKey,
} from './key-source.ts';
export { renderMarkdown, renderTerminal } from './render.ts';
export { inspectToken, type TokenInspection } from './token-inspect.ts';
export type { Exchange, Finding, Report, Severity } from './types.ts';
