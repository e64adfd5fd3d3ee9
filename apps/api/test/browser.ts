// A browser as far as the API can tell: its own cookie jar (the session cookie, the known-device
// cookie), requests from the dashboard's own origin as JSON (what the CSRF check asks of a cookie-
// carrying request), and optionally the X-Forwarded-For a reverse proxy in front would add.
import superjson from "superjson";

export interface TrpcAnswer<T = unknown> {
  status: number;
  ok: boolean;
  data: T;
  /** The error's tRPC code ("UNAUTHORIZED", "TOO_MANY_REQUESTS"…) and message when not ok. */
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  /** The catalog key of the error's message (@mai/domain SERVER_MESSAGES) and its parameters. */
  messageKey?: string;
  messageParams?: Record<string, string | number>;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  /** Added to every request (an X-Forwarded-For set by a proxy in front, say). */
  headers: Record<string, string> = {};

  constructor(readonly url: string) {}

  /** A second tab of this browser would share its cookies; another browser starts empty. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private requestHeaders(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    return {
      origin: this.url,
      "sec-fetch-site": "same-origin",
      ...(cookie ? { cookie } : {}),
      ...this.headers,
      ...extra,
    };
  }

  private async answer<T>(response: Response): Promise<TrpcAnswer<T>> {
    this.remember(response);
    const body = (await response.json()) as {
      result?: { data: unknown };
      error?: {
        json: {
          message: string;
          data?: { code?: string; retryAfterSeconds?: number; messageKey?: string; messageParams?: Record<string, string | number> };
        };
      };
    };
    if (body.error) {
      const { message, data } = body.error.json;
      return {
        status: response.status,
        ok: false,
        data: undefined as T,
        code: data?.code,
        message,
        ...(data?.retryAfterSeconds !== undefined ? { retryAfterSeconds: data.retryAfterSeconds } : {}),
        ...(data?.messageKey !== undefined ? { messageKey: data.messageKey, messageParams: data.messageParams } : {}),
      };
    }
    return { status: response.status, ok: true, data: superjson.deserialize(body.result!.data as never) };
  }

  async mutate<T = unknown>(
    path: string,
    input?: unknown,
    extra?: Record<string, string>,
  ): Promise<TrpcAnswer<T>> {
    const response = await fetch(`${this.url}/trpc/${path}`, {
      method: "POST",
      headers: this.requestHeaders({ "content-type": "application/json", ...extra }),
      body: JSON.stringify(superjson.serialize(input)),
    });
    return this.answer<T>(response);
  }

  async query<T = unknown>(
    path: string,
    input?: unknown,
    extra?: Record<string, string>,
  ): Promise<TrpcAnswer<T>> {
    const search =
      input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
    const response = await fetch(`${this.url}/trpc/${path}${search}`, {
      headers: this.requestHeaders(extra),
    });
    return this.answer<T>(response);
  }

  signIn(email: string, password: string, extra?: Record<string, string>) {
    return this.mutate<{ id: string; mustChangePassword: boolean }>("auth.login", { email, password }, extra);
  }

  async me(): Promise<{ id: string; email: string; mustChangePassword: boolean } | null> {
    const answer = await this.query<{ id: string; email: string; mustChangePassword: boolean } | null>(
      "auth.me",
    );
    if (!answer.ok) throw new Error(`auth.me failed: ${answer.message}`);
    return answer.data;
  }
}
