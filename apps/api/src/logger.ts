// Structured JSON logs. Redaction is the last line of defence (secrets should never reach a log
// call at all): headers that carry credentials and fields named like secrets are censored.
import { pino, type Logger } from "pino";

export type { Logger };

const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-mai-internal-token"]',
  "headers.authorization",
  "headers.cookie",
  "*.password",
  "*.key",
  "*.apiKey",
  "*.token",
  "*.provisioningKey",
  "password",
  "key",
  "token",
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { service: "mai-api" },
    },
    options.destination as pino.DestinationStream | undefined,
  );
}
