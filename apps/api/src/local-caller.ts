// The API's procedures called in-process, for operators' tools (the `mai` CLI) that act on the
// same data without HTTP: every permission check, validation and audit entry still applies, as the
// given user (or as the proxy, with `internal`). Its credential is `{ kind: "operator" }`: what a
// full dashboard session may do, except what needs a session itself (auth.createToken,
// auth.changePassword, auth.signOutEverywhere).
import { randomUUID } from "node:crypto";
import type { AuthUser } from "@mai/db";
import type { Context } from "./context";
import type { AppDeps } from "./deps";
import { appRouter } from "./routers/_app";
import { createCallerFactory } from "./trpc/init";

const createCaller = createCallerFactory(appRouter);

export type LocalCaller = ReturnType<typeof createCaller>;

export function createLocalCaller(deps: AppDeps, user: AuthUser | null, options: { internal?: boolean; via?: string } = {}): LocalCaller {
  const context: Context = {
    deps,
    log: deps.logger,
    requestId: randomUUID(),
    request: { ip: "local", userAgent: options.via ?? "mai-cli", secure: false },
    user,
    // The operator at the console, not a session or a token: the dashboard's powers of `user`,
    // but nothing only a dashboard session may do (mint a token, change a password).
    auth: user ? { kind: "operator" } : null,
    internal: options.internal ?? false,
    setCookie: () => undefined,
  };
  return createCaller(context);
}
