// HTTP on a raw TCP socket, for requests no HTTP client would send (broken request lines, bad
// bytes in headers, bodies that trickle in). The answer is read with a small HTTP/1.1 response
// parser: the tests need the status, the headers and the body of the first response only.
import net from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Parses the first complete final response in `data` (interim 1xx answers such as 100 Continue are
 * skipped), or returns null while it is incomplete. `head`: the request was HEAD (no body follows).
 */
function parseResponse(data: Buffer, closed: boolean, head = false): RawResponse | null {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = data.subarray(0, end).toString("latin1").split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!status) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  if (Number(status[1]) >= 100 && Number(status[1]) < 200 && status[1] !== "101") return parseResponse(data.subarray(end + 4), closed, head);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  const code = Number(status[1]);
  if (head || code === 204 || code === 304 || (code >= 100 && code < 200)) return { status: code, headers, body: "" };
  if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    return rest.length >= length ? { status: code, headers, body: rest.subarray(0, length).toString("utf8") } : null;
  }
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    let body = "";
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const size = parseInt(rest.subarray(at, lineEnd).toString("latin1"), 16);
      if (size === 0) return { status: code, headers, body };
      if (rest.length < lineEnd + 2 + size + 2) return null;
      body += rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString("utf8");
      at = lineEnd + 2 + size + 2;
    }
  }
  return closed ? { status: code, headers, body: rest.toString("utf8") } : null;
}

interface RawOptions {
  /** Fails the request if no complete response arrived by then (default 20 s). */
  timeoutMs?: number;
  /** The request is HEAD: the response has no body whatever its headers say. */
  head?: boolean;
  /** Written after the first chunk, one at a time, every `intervalMs` (a trickling client). */
  trickle?: { chunks: (string | Buffer)[]; intervalMs: number };
}

/**
 * Sends `request` on a new connection and resolves with the first response. A server that closes
 * the connection without answering resolves to status 0 (the caller decides whether that is fine).
 * Write errors after the server answered (it may close while a large body is still being sent)
 * are expected and ignored.
 */
export function rawRequest(port: number, request: string | Buffer, options: RawOptions = {}): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    let settled = false;
    let trickleTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: RawResponse | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearInterval(trickleTimer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const deadline = setTimeout(() => finish(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    const check = (closed: boolean) => {
      try {
        const parsed = parseResponse(data, closed, options.head);
        if (parsed) finish(parsed);
        else if (closed) finish({ status: 0, headers: {}, body: data.toString("latin1") });
      } catch (error) {
        finish(error as Error);
      }
    };
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      check(false);
    });
    socket.on("end", () => check(true));
    socket.on("close", () => check(true));
    socket.on("error", () => check(true));
    socket.on("connect", () => {
      socket.write(request);
      if (options.trickle) {
        const chunks = [...options.trickle.chunks];
        trickleTimer = setInterval(() => {
          const next = chunks.shift();
          if (next === undefined || socket.destroyed) return clearInterval(trickleTimer);
          socket.write(next);
        }, options.trickle.intervalMs);
      }
    });
  });
}

/** An HTTP/1.1 request as bytes; `Connection: close` unless headers say otherwise. */
export function rawHttp(requestLine: string, headers: [string, string][] = [], body: string | Buffer = ""): Buffer {
  const lines = [requestLine, ...headers.map(([name, value]) => `${name}: ${value}`)];
  if (!headers.some(([name]) => name.toLowerCase() === "host")) lines.push("Host: 127.0.0.1");
  if (!headers.some(([name]) => name.toLowerCase() === "connection")) lines.push("Connection: close");
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8")]);
}
