// Small HTTP helpers shared by the handlers.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A caller's own id when it is a sane token (as the API accepts it), else a fresh one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers["x-request-id"];
  return typeof incoming === "string" && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

export class BodyTooLargeError extends Error {}
/** The client closed the connection (or it broke) before its body was complete: nobody to answer. */
export class ClientGoneError extends Error {}

/**
 * The request body, at most `maxBytes`. Above that it rejects with BodyTooLargeError at once, and
 * the rest of the body is read and dropped in the background (bounded by the client request
 * timeout) instead of the connection being cut: a client still sending would otherwise get a
 * connection reset instead of the 413, and keep-alive survives. Rejects too if the client leaves.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Destroyed before anything read it: the client left, or the server answered it already (408).
    if (req.destroyed) return reject(new ClientGoneError());
    const tooLarge = () => {
      req.resume(); // flowing with no 'data' listener: the rest is discarded
      reject(new BodyTooLargeError());
    };
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      cleanup();
      tooLarge();
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = () => {
      cleanup();
      reject(new ClientGoneError());
    };
    const onClose = () => {
      cleanup();
      reject(new ClientGoneError());
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/**
 * A JSON answer. Nothing happens when the request was answered already — by the server itself,
 * with a 408, while the handler was still waiting for something (the API, the model list).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

// Connection-level headers never cross a proxy (RFC 9110 §7.6.1), nor does the upstream's length
// of a body we may re-frame.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

export function forwardableHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
    out[name] = value;
  }
  return out;
}
