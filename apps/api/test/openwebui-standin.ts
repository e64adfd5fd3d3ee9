// An Open WebUI stand-in for tests: the endpoints the API's Open WebUI sessions involve, with the
// shapes and status codes of Open WebUI's own source as read for docker/open-webui/README.md
// ("Versions": the repository, files and commits). Written from that reading, no Open WebUI code:
//   POST /api/v1/auths/signin {email,password} → {token, token_type:"Bearer", expires_at, id, email,
//        name, role, profile_image_url, permissions} and Set-Cookie token=…; HttpOnly; SameSite=Lax;
//        400 for a wrong e-mail or password
//   GET  /api/v1/auths/ → the session user, the credential echoed as `token`. get_current_user takes
//        the Bearer, else the `token` cookie; without either: 403 {"detail":"Not authenticated"} in
//        `version: "0.6"`, 401 in the newer (async) copies. A bad signature, an expired token or an
//        unknown user: 401. `version: "0.6"` models the copies whose handler then reads the token
//        from the Authorization header only: a valid cookie-only call fails there with a 500 (it
//        dereferences the missing header), so a caller must send Bearer
//   GET  /api/v1/users/user/settings, POST /api/v1/users/user/settings/update (get_verified_user:
//        Bearer or cookie in every version) — the stored settings (or null); an update merges
//        top-level keys shallowly, so `ui` is replaced whole; a pending user is refused with 401
//   GET  /api/v1/groups/ (routers/groups.py get_groups, get_verified_user): to an admin every group,
//        to a user the groups they are a member of; each a GroupResponse (`user_ids` in 0.6, a
//        `member_count` in the newer copies); a pending user 401
// Tokens are HS256 JWTs {id, exp} signed with the stand-in's secret (WEBUI_SECRET_KEY).
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseCookie } from "cookie";
import { jwtVerify, SignJWT } from "jose";

export type OpenWebUiRole = "admin" | "user" | "pending";

export interface StandInUser {
  id: string;
  email: string;
  name: string;
  role: OpenWebUiRole;
  password: string;
  settings: Record<string, unknown> | null;
}

export interface StandInGroup {
  id: string;
  name: string;
  /** Open WebUI user ids. */
  members: Set<string>;
}

export interface OpenWebUiStandIn {
  url: string;
  /** Its WEBUI_SECRET_KEY. */
  secret: string;
  /** Calls to GET /api/v1/auths/ so far (what the API's session cache should spare). */
  authCalls: number;
  users: Map<string, StandInUser>;
  /** A user with this role (and a generated password), as Open WebUI's admin would create one. */
  addUser(input: { role: OpenWebUiRole; email?: string; name?: string }): StandInUser;
  /** Signs in over HTTP, as Open WebUI's page does: its JSON answer and the `token` cookie it set. */
  signIn(user: StandInUser): Promise<{ token: string; cookie: string; body: Record<string, unknown> }>;
  /** A token for `id`, signed with `secret` (default: the stand-in's), expiring in `expiresInSeconds` (negative: expired). */
  tokenFor(id: string, options?: { secret?: string; expiresInSeconds?: number }): Promise<string>;
  /** Make GET /api/v1/auths/ answer this status (an Open WebUI in trouble); null: normal. */
  failAuthWith: number | null;
  /** Calls to GET /api/v1/groups/ so far. */
  groupCalls: number;
  /** Make GET /api/v1/groups/ answer this status; null: normal. */
  failGroupsWith: number | null;
  /** A group with these members, as Open WebUI's admin would create one (Admin Panel → Users → Groups). */
  addGroup(name: string, members: StandInUser[]): StandInGroup;
  close(): Promise<void>;
}

const DEFAULT_TOKEN_SECONDS = 4 * 7 * 24 * 3600; // Open WebUI's JWT_EXPIRES_IN default is weeks ("4w")

const NOT_AUTHENTICATED = { detail: "Not authenticated" };
const UNAUTHORIZED = { detail: "401 Unauthorized" };
const INVALID_TOKEN = { detail: "Your session has expired or the token is invalid. Please sign in again." };
const ACCESS_PROHIBITED = {
  detail:
    "You do not have permission to access this resource. Please contact your administrator for assistance.",
};
const INVALID_CRED = {
  detail: "The email or password provided is incorrect. Please check for typos and try logging in again.",
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

const bearerOf = (req: IncomingMessage) => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
const cookieOf = (req: IncomingMessage) =>
  req.headers.cookie ? parseCookie(req.headers.cookie).token || undefined : undefined;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null") as unknown;
  } catch {
    return undefined;
  }
}

export async function startOpenWebUiStandIn(
  options: { version?: "0.6" | "newer"; secret?: string } = {},
): Promise<OpenWebUiStandIn> {
  const secret = options.secret ?? randomBytes(24).toString("hex");
  const newer = (options.version ?? "newer") === "newer";
  /** get_current_user without a credential: 403 in the 0.6 copies, 401 in the newer ones. */
  const notAuthenticated = newer ? 401 : 403;
  const users = new Map<string, StandInUser>();
  const groups: StandInGroup[] = [];
  const key = (s: string) => new TextEncoder().encode(s);

  const tokenFor: OpenWebUiStandIn["tokenFor"] = (id, tokenOptions = {}) =>
    new SignJWT({ id })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setExpirationTime(
        Math.floor(Date.now() / 1000) + (tokenOptions.expiresInSeconds ?? DEFAULT_TOKEN_SECONDS),
      )
      .sign(key(tokenOptions.secret ?? secret));

  /** Open WebUI's get_current_user: the Bearer, else the `token` cookie; then the token's user. */
  async function sessionUser(req: IncomingMessage): Promise<StandInUser | { status: number; body: unknown }> {
    const credential = bearerOf(req) ?? cookieOf(req);
    if (!credential) return { status: notAuthenticated, body: NOT_AUTHENTICATED };
    let id: unknown;
    try {
      ({
        payload: { id },
      } = await jwtVerify(credential, key(secret), { algorithms: ["HS256"] }));
    } catch {
      return { status: 401, body: UNAUTHORIZED };
    }
    const user = typeof id === "string" ? users.get(id) : undefined;
    return user ?? { status: 401, body: INVALID_TOKEN };
  }

  const publicUser = (user: StandInUser) => ({
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    profile_image_url: "/user.png",
    permissions: { chat: { file_upload: true } },
  });
  // The newer sign-in answers the profile image's route rather than the stored value.
  const signedInUser = (user: StandInUser) => ({
    ...publicUser(user),
    ...(newer ? { profile_image_url: `/api/v1/users/${user.id}/profile/image` } : {}),
  });

  const standIn: OpenWebUiStandIn = {
    url: "",
    secret,
    authCalls: 0,
    users,
    failAuthWith: null,
    groupCalls: 0,
    failGroupsWith: null,
    addGroup(name, members) {
      const group = { id: randomUUID(), name, members: new Set(members.map((m) => m.id)) };
      groups.push(group);
      return group;
    },
    addUser({ role, email, name }) {
      const user: StandInUser = {
        id: randomUUID(),
        email: (email ?? `${role}-${randomUUID().slice(0, 8)}@owui.example`).toLowerCase(),
        name: name ?? `Open WebUI ${role}`,
        role,
        password: randomBytes(9).toString("base64url"),
        settings: null,
      };
      users.set(user.id, user);
      return user;
    },
    async signIn(user) {
      const res = await fetch(`${standIn.url}/api/v1/auths/signin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      if (res.status !== 200) throw new Error(`stand-in sign-in failed: ${res.status}`);
      const body = (await res.json()) as Record<string, unknown>;
      const setCookie = res.headers.get("set-cookie") ?? "";
      return { token: String(body.token), cookie: setCookie.split(";")[0] ?? "", body };
    },
    tokenFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://standin").pathname;
    const route = `${req.method} ${path}`;
    if (route === "POST /api/v1/auths/signin") {
      const form = (await readJson(req)) as { email?: unknown; password?: unknown } | undefined;
      const email = typeof form?.email === "string" ? form.email.toLowerCase() : "";
      const user = [...users.values()].find((u) => u.email === email && u.password === form?.password);
      if (!user) return send(res, 400, INVALID_CRED);
      const expiresAt = Math.floor(Date.now() / 1000) + DEFAULT_TOKEN_SECONDS;
      const token = await tokenFor(user.id);
      return send(
        res,
        200,
        { token, token_type: "Bearer", expires_at: expiresAt, ...signedInUser(user) },
        {
          "set-cookie": `token=${token}; Expires=${new Date(expiresAt * 1000).toUTCString()}; HttpOnly; Path=/; SameSite=Lax`,
        },
      );
    }
    if (route === "GET /api/v1/auths/") {
      standIn.authCalls++;
      if (standIn.failAuthWith !== null)
        return send(res, standIn.failAuthWith, { detail: "Internal Server Error" });
      const found = await sessionUser(req);
      if ("status" in found) return send(res, found.status, found.body);
      // The 0.6 handler reads the token from the Authorization header only: without one it fails.
      if (!newer && bearerOf(req) === undefined) return sendText(res, 500, "Internal Server Error");
      // Open WebUI's SessionUserResponse extends its Token model: the credential comes back in the answer.
      return send(res, 200, {
        token: bearerOf(req) ?? cookieOf(req),
        token_type: "Bearer",
        expires_at: null,
        ...publicUser(found),
        bio: null,
        gender: null,
        date_of_birth: null,
        ...(newer ? { status_emoji: null, status_message: null, status_expires_at: null } : {}),
      });
    }
    if (route === "GET /api/v1/groups/") {
      standIn.groupCalls++;
      if (standIn.failGroupsWith !== null)
        return send(res, standIn.failGroupsWith, { detail: "Internal Server Error" });
      const found = await sessionUser(req);
      if ("status" in found) return send(res, found.status, found.body);
      if (found.role === "pending") return send(res, 401, ACCESS_PROHIBITED);
      const listed = found.role === "admin" ? groups : groups.filter((g) => g.members.has(found.id));
      return send(
        res,
        200,
        listed.map((g) => ({
          id: g.id,
          user_id: [...users.values()].find((u) => u.role === "admin")?.id ?? "",
          name: g.name,
          description: "",
          permissions: { workspace: { models: false } },
          data: null,
          meta: null,
          ...(newer ? { member_count: g.members.size } : { user_ids: [...g.members] }),
          created_at: 1764547200,
          updated_at: 1764547200,
        })),
      );
    }
    if (route === "GET /api/v1/users/user/settings" || route === "POST /api/v1/users/user/settings/update") {
      // get_verified_user → get_current_user, which reads the cookie in every version.
      const found = await sessionUser(req);
      if ("status" in found) return send(res, found.status, found.body);
      if (found.role === "pending") return send(res, 401, ACCESS_PROHIBITED);
      if (req.method === "GET") return send(res, 200, found.settings);
      const form = await readJson(req);
      if (!form || typeof form !== "object" || Array.isArray(form))
        return send(res, 422, { detail: "Invalid body" });
      // Users.update_user_settings_by_id: a shallow update, so `ui` is replaced wholesale.
      // UserSettings is `{ ui: dict = {} }` with extra keys allowed: a body without `ui` still clears it.
      found.settings = { ...(found.settings ?? {}), ui: {}, ...(form as Record<string, unknown>) };
      return send(res, 200, found.settings);
    }
    send(res, 404, { detail: "Not Found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { detail: "Internal Server Error" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
