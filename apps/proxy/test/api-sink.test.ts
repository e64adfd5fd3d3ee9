// Which failures of internal.recordUsage may lead to a dead letter: only the API's own tRPC answers
// BAD_REQUEST (invalid) and INTERNAL_SERVER_ERROR (500). Everything else — 503 while its database is
// unreachable, a 502 from something in between, a refused connection — means "the API is away".
// Real HTTP round trips: a tRPC server answering each code, and a plain server answering HTML.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { usageSinkError } from "../src/metering/api-sink";
import { UsageRejectedError, UsageServerError } from "../src/metering/recorder";

const t = initTRPC.create({ transformer: superjson });
const codes = ["BAD_REQUEST", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "BAD_GATEWAY", "GATEWAY_TIMEOUT", "UNAUTHORIZED", "TOO_MANY_REQUESTS"] as const;
const router = t.router({
  recordUsage: t.procedure.input(z.object({ answer: z.enum(codes) })).mutation(({ input }) => {
    throw new TRPCError({ code: input.answer, message: `answered ${input.answer}` });
  }),
});

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const clientFor = (url: string) => createTRPCClient<typeof router>({ links: [httpBatchLink({ url, transformer: superjson })] });

/** The error a real call ends with, as the recorder will see it. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return usageSinkError(error);
  }
  throw new Error("the call succeeded");
}

describe("the usage sink's reading of API failures", () => {
  let trpc: Server;
  let html: Server;
  let trpcUrl: string;
  let htmlUrl: string;
  beforeAll(async () => {
    trpc = createHTTPServer({ router });
    trpcUrl = await listen(trpc);
    // A load balancer's own 500 page: not the API speaking.
    html = createServer((_req, res) => {
      res.writeHead(500, { "content-type": "text/html" });
      res.end("<html><body>500 Internal Server Error</body></html>");
    });
    htmlUrl = await listen(html);
  });
  afterAll(async () => {
    await new Promise((r) => trpc.close(r));
    await new Promise((r) => html.close(r));
  });

  it("BAD_REQUEST → rejected (bisected, dead-lettered); INTERNAL_SERVER_ERROR → server error (retried, then searched)", async () => {
    expect(await failure(clientFor(trpcUrl).recordUsage.mutate({ answer: "BAD_REQUEST" }))).toBeInstanceOf(UsageRejectedError);
    expect(await failure(clientFor(trpcUrl).recordUsage.mutate({ answer: "INTERNAL_SERVER_ERROR" }))).toBeInstanceOf(UsageServerError);
  });

  it.each(["SERVICE_UNAVAILABLE", "BAD_GATEWAY", "GATEWAY_TIMEOUT", "UNAUTHORIZED", "TOO_MANY_REQUESTS"] as const)("%s → the API is away (never dead-lettered)", async (answer) => {
    const error = await failure(clientFor(trpcUrl).recordUsage.mutate({ answer }));
    expect(error).not.toBeInstanceOf(UsageRejectedError);
    expect(error).not.toBeInstanceOf(UsageServerError);
  });

  it("a 500 that is not the API's tRPC answer, and a refused connection → the API is away", async () => {
    for (const url of [htmlUrl, "http://127.0.0.1:9"]) {
      const error = await failure(clientFor(url).recordUsage.mutate({ answer: "INTERNAL_SERVER_ERROR" }));
      expect(error).not.toBeInstanceOf(UsageRejectedError);
      expect(error).not.toBeInstanceOf(UsageServerError);
    }
  });
});
