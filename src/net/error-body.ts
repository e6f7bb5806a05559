// Reading a host's error answer: its `error.code`, within a size and a time, the body always consumed.
/** Most of an error answer's body that is read: `{ error: { code, message } }` is far smaller. */
const ERROR_BODY_BYTES = 16 * 1024;
/** How long an error answer's body may take: the status alone is reported once it has passed. */
const ERROR_BODY_MS = 1_000;
/** What a `serverCode` may look like: a short code, nothing a page could mistake for a message. */
const SERVER_CODE = /^[a-z0-9][\w.-]{0,63}$/i;

/**
 * The host's `error.code` from a JSON error answer, read within {@link ERROR_BODY_BYTES} and
 * {@link ERROR_BODY_MS}; `undefined` for anything else, a body that is too long or too slow included.
 * The body is always consumed or cancelled.
 */
export async function errorCode(response: Response): Promise<string | undefined> {
  const body = response.body;
  if (!body) return undefined;
  const reader = body.getReader();
  // Cancelling ends a pending read() with `done`: a body that never ends is given up, not waited for.
  const stop = () => void reader.cancel().catch(() => {});
  if (!/json/i.test(response.headers.get('content-type') ?? '')) {
    stop();
    return undefined;
  }
  // The browser's own timer rather than setTimeout: nothing to clear, and a page's fake timers cannot hold it.
  AbortSignal.timeout(ERROR_BODY_MS).addEventListener('abort', stop);
  try {
    let text = '';
    const decoder = new TextDecoder();
    for (let size = 0; ; ) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > ERROR_BODY_BYTES) {
        stop();
        return undefined;
      }
      text += decoder.decode(value, { stream: true });
    }
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && SERVER_CODE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
