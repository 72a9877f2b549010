// Reading a request body under a size limit, for every route that takes one (Slack's events, the landing
// page's forms).
import type { IncomingMessage } from 'node:http';

/**
 * The body, or 'too-large' once it is read to its end past `limit` bytes (kept only up to the limit). The
 * rest of a body too large is read and thrown away rather than left unread: closing a connection with bytes
 * still coming makes the kernel reset it, and the client would never see the 413. The request timeout bounds
 * how long that takes.
 */
export function readLimitedBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = Number(request.headers['content-length']) > limit ? limit + 1 : 0;
    const finish = (result: Buffer | 'too-large' | 'aborted') => {
      request.off('data', onData).off('end', onEnd).off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    };
    const onEnd = () => finish(size > limit ? 'too-large' : Buffer.concat(chunks));
    const onClose = () => finish('aborted');
    // A client that goes away mid-body: nobody is left to answer, and it is no error of ours.
    request.on('error', () => undefined);
    request.on('data', onData).on('end', onEnd).on('close', onClose);
  });
}
