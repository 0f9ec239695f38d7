/**
 * The start of a response body, read from the stream up to a byte limit; the rest is cancelled,
 * so a server that sends an endless (or huge) error body costs the client at most the limit and
 * the connection is let go. What the errors quote (an excerpt, a problem body) comes from here.
 */

export interface BodyStart {
  text: string;
  /** Whether the body ended within the limit (false: `text` is only its start). */
  complete: boolean;
}

/** Reads at most `maxBytes` of the body as UTF-8 text, then cancels the stream. */
export async function readBodyStart(response: Response, maxBytes: number): Promise<BodyStart> {
  const body = response.body;
  if (!body) return { text: '', complete: true };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), complete: true };
      const room = maxBytes - size;
      if (value.byteLength > room) {
        text += decoder.decode(value.subarray(0, room));
        // Not awaited: a cancelled body may take its time to close the connection.
        reader.cancel().catch(() => {});
        return { text, complete: false };
      }
      size += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Cut off mid-body: what arrived is the excerpt.
    reader.cancel().catch(() => {});
    return { text, complete: false };
  }
}
