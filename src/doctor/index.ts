/** `gatehouse-http/doctor`: names the cause of a 401 with evidence and the fix. */
export { parseCurlArgs, parseCurlCommand } from './curl-command.ts';
export { CurlCommandError, type CurlCommandErrorCode } from './curl-command-error.ts';
export type { CurlRequest } from './curl-request.ts';
export { type DiagnoseOptions, diagnose, exitCode } from './diagnose.ts';
export { type DiagnoseHarOptions, diagnoseHar, HarError, type HarSkip, MAX_HAR_BYTES } from './har.ts';
export {
  KeyOptionError,
  type KeySet,
  keysFromIssuer,
  keysFromJwks,
  keysFromOption,
  type VerifyKey,
} from './key-source.ts';
export { renderMarkdown, renderTerminal } from './render.ts';
export { splitShellWords } from './shell-words.ts';
export { inspectToken, type TokenInspection } from './token-inspect.ts';
export type { Exchange, Finding, Report, Severity } from './types.ts';
