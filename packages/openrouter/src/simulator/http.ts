// Why: small HTTP helpers shared by the simulator's handlers: OpenRouter's error envelope, JSON
// bodies with exact money, bearer parsing, and abortable sleeps (so `close()` and client aborts
// never wait for a long simulated latency to run out).
import type { IncomingMessage, ServerResponse } from "node:http";
import { stringifyExact } from "./money";

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly metadata?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  const text = stringifyExact(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

interface ErrorOptions {
  metadata?: Record<string, unknown> | undefined;
  headers?: Record<string, string | number>;
  /** The account's `user_id` (OpenRouter adds it once it knows who is calling). */
  userId?: string | undefined;
}

/** `{ error: { code, message, metadata? }, user_id? }` with `code` = the HTTP status. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  options: ErrorOptions = {},
): void {
  const error: Record<string, unknown> = { code: status, message };
  if (options.metadata !== undefined) error.metadata = options.metadata;
  const body: Record<string, unknown> = { error };
  if (options.userId !== undefined) body.user_id = options.userId;
  sendJson(res, status, body, options.headers);
}

export function bearerOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? (match[1] as string).trim() : "";
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "Payload too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "Invalid JSON in request body");
  }
}

/** Resolves after `ms`, or early (never rejecting) once any signal aborts. */
export function sleep(ms: number, ...signals: AbortSignal[]): Promise<void> {
  if (ms <= 0 || signals.some((s) => s.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s.addEventListener("abort", done, { once: true });
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
