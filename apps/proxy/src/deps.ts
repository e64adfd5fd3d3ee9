// Everything a handler touches, built once per server (tests build several side by side).
import type { Pool } from "undici";
import type { OpenRouterClient } from "@mai/openrouter";
import type { Logger } from "pino";
import type { ApiClient } from "./api-client";
import type { ProxyEnv } from "./env";
import type { IdentityResolver } from "./identity";
import type { RequestJournal } from "./metering/journal";
import type { UsageRecorder } from "./metering/recorder";
import type { RefusalRecorder } from "./metering/refusals";
import type { Metrics } from "./metrics";
import type { ModelCatalog } from "./models";
import type { Reservations } from "./reservations";

export interface ProxyDeps {
  env: ProxyEnv;
  logger: Logger;
  api: ApiClient;
  identity: IdentityResolver;
  models: ModelCatalog;
  recorder: UsageRecorder;
  /** Requests refused before forwarding (402 limit, 403 deactivated), counted per day by the API. */
  refusals: RefusalRecorder;
  reservations: Reservations;
  metrics: Metrics;
  /** One keep-alive connection pool to OpenRouter's origin. */
  upstream: Pool;
  /** OpenRouter's base path on that origin, e.g. "/api/v1". */
  upstreamBasePath: string;
  /** Used only off the request path (generation lookups for streams that ended without usage). */
  openrouter: OpenRouterClient;
  /** Open records of the requests whose generation id is known and whose usage event is not yet durable. */
  journal: RequestJournal;
  /** In-flight requests, for a bounded drain on shutdown. */
  inflight: Set<Promise<void>>;
}
