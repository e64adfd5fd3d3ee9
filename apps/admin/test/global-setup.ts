// Component tests run the real API (PGlite in memory, the OpenRouter simulator as upstream) in the
// main vitest process; the happy-dom pages point at it (test/setup.ts sets the window's URL to the
// API's origin, so "/trpc" and the session cookie work as they do in production). Seeded through
// the API itself: the provider administrator, one organisation with a client administrator and a
// member (invited with members.add, each accepting with a password of their own).
import type { TestProject } from "vitest/node";
import { createApiServer, createDeps, createLogger, ensureProviderAdmin, hashPassword, loadEnv, reconcileKeyUsage, type AppRouter } from "@mai/api";
import { createUser, schema } from "@mai/db";
import { createTestDb } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import { FIXTURE_API_KEY, startSimulator } from "@mai/openrouter/simulator";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";

export interface SeededAccount {
  email: string;
  password: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    /** The simulator's base URL (…/api/v1), accepted as OpenRouter by the API. */
    simUrl: string;
    /** The organisation's key, known to the simulator. */
    organizationKey: string;
    provider: SeededAccount;
    orgAdmin: SeededAccount;
    member: SeededAccount;
    /** A member only the Polish server-message tests use (their saves and refusals race no other test's). */
    polishMember: SeededAccount;
    /** A member of the organisation whose password the password tests change and reset (no other test uses it). */
    passwordOwner: SeededAccount & { id: string; name: string };
    organizationName: string;
    /** Spent on the organisation's key straight at the simulator (bypassing the gateway), nano-USD as text. */
    unmeteredNano: string;
  }
}

const PROVIDER = { email: "provider@mai.test", password: "provider password for tests" };

export default async function setup(project: TestProject) {
  const t = await createTestDb("pglite");
  const sim = await startSimulator({ port: 0, generationDelayMs: 0 });
  const env = loadEnv({
    NODE_ENV: "test",
    MAI_OPENROUTER_BASE_URL: sim.url,
    MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
    MAI_ADMIN_EMAIL: PROVIDER.email,
    MAI_ADMIN_PASSWORD: PROVIDER.password,
    MAI_ADMIN_DIST: "",
    LOG_LEVEL: "silent",
  });
  const logger = createLogger({ level: "silent" });
  await ensureProviderAdmin(t.db, env, logger, () => undefined);
  const deps = createDeps({ db: t.db, secrets: t.secrets, env, logger });
  const api = createApiServer(deps);
  const { url } = await api.listen(0, "127.0.0.1");

  // Seed through the API as the provider would.
  let cookie = "";
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        transformer: superjson,
        // The dashboard's own origin, as its pages send it (the API refuses cross-site requests with side effects).
        headers: () => (cookie ? { cookie, origin: url } : { origin: url }),
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          const set = res.headers.get("set-cookie");
          if (set) cookie = set.split(";")[0]!;
          return res;
        },
      }),
    ],
  });
  await client.auth.login.mutate(PROVIDER);
  const organizationName = "Acme Components Sp. z o.o.";
  const { organization } = await client.organizations.create.mutate({ name: organizationName, provisionKey: false, key: FIXTURE_API_KEY });
  // Invited, and each invitation accepted with a password of the invitee's own (a browser of its own: no cookie kept).
  const invitee = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, transformer: superjson, headers: () => ({ origin: url }) })] });
  const orgAdmin = { email: "admin@acme.test", password: "quiet harbour lanterns at dusk" };
  const member = { email: "member@acme.test", password: "seven paper boats drifting north" };
  const polishMember = { email: "czlonek@acme.test", password: "siedem papierowych łódek płynie" };
  for (const [account, name, role] of [
    [orgAdmin, "Ada Admin", "org_admin"],
    [member, "Max Member", "member"],
    [polishMember, "Maja Członek", "member"],
  ] as const) {
    const { code } = await client.members.add.mutate({ organizationId: organization.id, email: account.email, name, role });
    await invitee.auth.acceptInvitation.mutate({ email: account.email, code, password: account.password });
  }

  project.provide("apiUrl", url);
  project.provide("simUrl", sim.url);
  project.provide("organizationKey", FIXTURE_API_KEY);
  project.provide("provider", PROVIDER);
  project.provide("orgAdmin", orgAdmin);
  project.provide("member", member);
  project.provide("polishMember", polishMember);
  project.provide("organizationName", organizationName);

  // Created directly, with a password of its own: the password tests change it and have it reset.
  const owner = { email: "owner@acme.test", name: "Olga Owner", password: "a password the owner chose" };
  const ownerRow = await createUser(t.db, { email: owner.email, name: owner.name, role: "member", passwordHash: await hashPassword(owner.password) });
  await t.db
    .insert(schema.userClientMapping)
    .values({ userId: ownerRow.id, organizationId: organization.id, externalUserId: externalUserId(organization.id, ownerRow.id) });
  project.provide("passwordOwner", { ...owner, id: ownerRow.id });

  // Traffic that bypassed the gateway: a completion sent straight to the simulator with the
  // organisation's key, then one run of key-level reconciliation — "unmetered usage" on the pages.
  const bypass = await fetch(`${sim.url}/chat/completions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${FIXTURE_API_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ model: "openai/gpt-4o", max_tokens: 50, messages: [{ role: "user", content: "around the gateway" }] }),
  });
  await bypass.arrayBuffer();
  await reconcileKeyUsage(deps);
  project.provide("unmeteredNano", sim.totalNano({ key: FIXTURE_API_KEY }).toString());

  return async () => {
    await api.close();
    await sim.close();
    await t.close();
  };
}
