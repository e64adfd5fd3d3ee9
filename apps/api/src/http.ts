// The API's door for raw HTTP: everything here runs before tRPC or a handler sees the request, so
// every failure is an HttpProblem with a status and a sentence for the client — never a throw that
// escapes into the server callback (which would end the process).
import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonDepthExceeds } from "@mai/domain";

/** A client mistake found at the door: answered with `status` and `message` as they are. */
export class HttpProblem extends Error {
  override name = "HttpProblem";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request target as a URL, or an HttpProblem. Node's parser accepts absolute-form targets
 * (`GET http://[::1/ HTTP/1.1`) that WHATWG URL refuses; that refusal once ended the process.
 */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://localhost");
  } catch {
    throw new HttpProblem(400, "The request target is not a valid URL.");
  }
}

/**
 * The whole body as text, at most `maxBytes` (413 beyond, checked against Content-Length before a
 * byte is read). Bytes that are not UTF-8 become U+FFFD, as every JSON parser here would make them.
 */
export async function readBodyText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpProblem(413, `The request body is larger than ${maxBytes} bytes.`);
  const declared = Number(req.headers["content-length"] ?? 0);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    // The client went away or the socket failed mid-body: nobody is left to read an answer.
    throw new HttpProblem(400, "The request body could not be read.");
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Refuses JSON text nested deeper than `maxDepth` before anything parses or walks it. */
export function requireShallowJson(text: string, maxDepth: number): void {
  if (jsonDepthExceeds(text, maxDepth)) throw new HttpProblem(400, `The JSON is nested more than ${maxDepth} levels deep.`);
}

/** Parses a JSON body (empty → null) bounded in depth; 400 in words otherwise. */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  requireShallowJson(text, maxDepth);
  try {
    return JSON.parse(text || "null") as unknown;
  } catch {
    throw new HttpProblem(400, "The body is not valid JSON.");
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
