/** The mistakes a pasted curl line can hold, each a code; a message never quotes a value from the line. */
import { GatehouseError } from '../http/gatehouse-error.ts';

export type CurlCommandErrorCode =
  | 'curl_syntax'
  | 'curl_windows_cmd'
  | 'curl_not_curl'
  | 'curl_unknown_option'
  | 'curl_missing_value'
  | 'curl_second_url'
  | 'curl_no_url'
  | 'curl_bad_url'
  | 'curl_bad_header'
  | 'curl_file'
  | 'curl_user_prompt';

/** A pasted curl line the doctor cannot read; `code` says which kind of mistake (never a value from the line). */
export class CurlCommandError extends GatehouseError {
  declare readonly code: CurlCommandErrorCode;
  constructor(code: CurlCommandErrorCode, message: string) {
    super(message, code);
  }
}
