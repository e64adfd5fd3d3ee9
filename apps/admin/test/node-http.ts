// A request from outside the page (no cookie jar): happy-dom's fetch would add the window's
// session cookie, and these checks are about a Bearer token alone.
import { request } from "node:http";

export function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return send(url, "GET", headers);
}

/** `headers`: e.g. the dashboard's Origin, which a request with no credential needs (the API's CSRF check). */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return send(url, "POST", { "content-type": "application/json", ...headers }, JSON.stringify(body));
}

function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
