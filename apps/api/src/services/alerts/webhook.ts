// The alert webhook: a JSON POST signed as @mai/domain's limit-alerts.ts specifies
// (`X-Mai-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, HMAC from node:crypto), with a
// timeout, no redirects followed, and at most 64 KiB of the answer read.
//
// SSRF guard: the URL is the client administrator's to choose, and the API sits inside the
// provider's network, so by default a webhook may reach only public addresses. The check is made
// on the address the socket actually connects to (a `lookup` that refuses non-public answers, and
// the same check for an IP literal), so a name that resolves to 10.0.0.5 — or changes its answer
// between a check and the connection (DNS rebinding) — is refused too. Refused: loopback,
// private (RFC 1918, fc00::/7), link-local (169.254/16 — cloud metadata — and fe80::/10),
// carrier-grade NAT, unspecified, multicast, reserved and documentation ranges, and IPv4-mapped
// IPv6 forms of them. MAI_ALERTS_WEBHOOK_ALLOW_PRIVATE turns it off (tests; a receiver inside the
// provider's own network). What it does not do: restrict ports, or look behind a public proxy.
import { createHmac } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";
import { formatWebhookSignature, WEBHOOK_SIGNATURE_HEADER, webhookSignedContent } from "@mai/domain";
import type { SendOutcome } from "./mailer";

/** The header value for `body` at `now`, signed with `secret`. */
export function signWebhook(secret: string, body: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  return formatWebhookSignature(t, createHmac("sha256", secret).update(webhookSignedContent(t, body), "utf8").digest("hex"));
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** Whether an address is outside the public internet (the SSRF guard's rule). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(address, "ipv6");
  }
  return true;
}

class BlockedAddressError extends Error {
  override name = "BlockedAddressError";
  code = "EBLOCKED";
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses non-public answers: what the socket connects to is what was checked. */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "");
    const usable = addresses.filter((a) => !isNonPublicAddress(a.address));
    if (usable.length === 0) return callback(new BlockedAddressError(), "");
    if (options.all) return callback(null, usable);
    callback(null, usable[0]!.address, usable[0]!.family);
  });
}

export interface WebhookRequest {
  url: string;
  secret: string;
  body: string;
  now: Date;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** One POST; 2xx sent; 429, 5xx, a timeout or a network failure worth retrying; any other answer not. */
export async function postWebhook(input: WebhookRequest): Promise<SendOutcome> {
  const url = new URL(input.url);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!input.allowPrivate && isIP(host) && isNonPublicAddress(host)) {
    return { ok: false, statusCode: null, error: "The webhook's address is not on the public internet (refused: loopback, private or link-local).", retry: false };
  }
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const headers = {
    "content-type": "application/json",
    "user-agent": "mAI-Gateway-Alerts/1",
    [WEBHOOK_SIGNATURE_HEADER]: signWebhook(input.secret, input.body, input.now),
    "content-length": String(Buffer.byteLength(input.body)),
  };
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const req = request(
      url,
      // A connection of its own (agent: false): alerts are rare, and a kept-alive socket the
      // receiver has meanwhile closed would fail the delivery with ECONNRESET.
      { method: "POST", headers, agent: false, timeout: input.timeoutMs, ...(input.allowPrivate ? {} : { lookup: publicOnlyLookup }) },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) res.destroy();
        });
        res.on("error", () => undefined);
        res.on("close", () => undefined);
        res.resume();
        if (status >= 200 && status < 300) return finish({ ok: true, statusCode: status, error: null, retry: false });
        const retry = status === 429 || status >= 500;
        const why =
          status >= 300 && status < 400
            ? `The receiver answered ${status} (a redirect; redirects are not followed — save the final URL).`
            : `The receiver answered ${status}.`;
        finish({ ok: false, statusCode: status, error: why, retry });
      },
    );
    req.on("timeout", () => {
      req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof BlockedAddressError || error.code === "EBLOCKED") {
        return finish({ ok: false, statusCode: null, error: "The webhook's address is not on the public internet (refused: loopback, private or link-local).", retry: false });
      }
      if (error.code === "ETIMEDOUT") return finish({ ok: false, statusCode: null, error: `The receiver did not answer within ${input.timeoutMs} ms.`, retry: true });
      finish({ ok: false, statusCode: null, error: `The receiver could not be reached (${error.code ?? error.name}).`, retry: true });
    });
    req.end(input.body);
  });
}
