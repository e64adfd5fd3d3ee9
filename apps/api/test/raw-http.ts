// Raw HTTP for hostile-input tests: bytes no well-behaved client would send (broken request lines,
// invalid UTF-8, NUL in headers) go over a plain socket, and the answer is read back as sent.
import { connect } from "node:net";

interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` as is and reads until the server closes (send `Connection: close`). */
export function rawRequest(port: number, request: string | Buffer, options: { timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000); // a safety net for a hang, not an expected duration (a loaded CI machine)
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => {
      /* a reset after the answer is fine: what was read is judged */
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks).toString("latin1")));
    });
    socket.write(request);
  });
}

function parseResponse(text: string): RawResponse {
  const headEnd = text.indexOf("\r\n\r\n");
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
  const [statusLine = "", ...lines] = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = headEnd >= 0 ? text.slice(headEnd + 4) : "";
  if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
  return { status, headers, body: Buffer.from(body, "latin1").toString("utf8") };
}

function unchunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf("\r\n");
    if (lineEnd < 0) return out;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** A whole HTTP/1.1 request with `Connection: close`. */
export function httpRequest(method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): Buffer {
  const bodyBytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (bodyBytes) lines.push(`Content-Length: ${bodyBytes.length}`);
  const head = Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1");
  return bodyBytes ? Buffer.concat([head, bodyBytes]) : head;
}
