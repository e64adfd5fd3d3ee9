// docker/open-webui/: the compose file of the zero-fork Open WebUI setup (issue 17), its per-client
// override and its .env.example, checked without a Docker engine as docker-files.test.ts checks
// docker/compose*.yaml: plain YAML; only variables .env.example lists, each with a default or a
// loud error; every image pinned; the mAI services built from docker/'s Dockerfiles and given only
// variables the apps declare, in a configuration they accept once the secrets are filled in (and
// refuse with the placeholders left); and the wiring between the services — Open WebUI's admin
// connection holds the proxy's gateway token and JWT secret, each nginx renders the shipped
// template with every variable it uses, names an instance the API knows at that Open WebUI's
// address, and carries the API's mirror token.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join, posix } from "node:path";
import { envSchema, loadEnv } from "@mai/api";
import { parseMasterKey } from "@mai/db";
import { loadProxyEnv, proxyEnvSchema } from "@mai/proxy";
import { describe, expect, it } from "vitest";
import {
  fillPlaceholders,
  interpolate,
  INTERPOLATION,
  read,
  readCompose,
  readEnvExample,
  ROOT,
} from "./compose-files";

const DIR = "docker/open-webui";
const BASE = `${DIR}/compose.yaml`;
const CLIENTS = `${DIR}/compose.clients.yaml`;
const TEMPLATE_IN_IMAGE = "/etc/nginx/templates/default.conf.template";

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
}

function parseCompose(rel: string): { services: Record<string, Service>; text: string } {
  const { text, services, errors, warnings } = readCompose<Service>(rel);
  expect(errors, rel).toEqual([]);
  expect(warnings, rel).toEqual([]);
  return { services, text };
}

/** compose.yaml with the override applied as compose merges it (maps merged, scalars replaced). */
function merged(base: Record<string, Service>, override: Record<string, Service>): Record<string, Service> {
  const out: Record<string, Service> = structuredClone(base);
  for (const [name, service] of Object.entries(override)) {
    const into = out[name] ?? {};
    out[name] = { ...into, ...service, environment: { ...into.environment, ...service.environment } };
  }
  return out;
}

const EXAMPLE = readEnvExample(`${DIR}/.env.example`);
/** .env.example with each placeholder replaced as its comment says. */
const fill = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...fillPlaceholders(EXAMPLE),
  ...extra,
});

const envOf = (service: Service | undefined, vars: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v ?? ""), vars)]),
  );

const appOf = (service: Service) =>
  service.image === "mai-gateway/api" ? "api" : service.image === "mai-gateway/proxy" ? "proxy" : undefined;

const base = parseCompose(BASE);
const clients = parseCompose(CLIENTS);
const LAYOUTS = [
  { name: "one Open WebUI (compose.yaml)", files: [base], services: base.services },
  {
    name: "one Open WebUI per client (compose.yaml + compose.clients.yaml)",
    files: [base, clients],
    services: merged(base.services, clients.services),
  },
] as const;
/** The services a layout starts (none of an inactive profile). */
const started = (services: Record<string, Service>) =>
  Object.entries(services).filter(([, s]) => !s.profiles?.length);

describe.each([BASE, CLIENTS])("%s", (file) => {
  const { text } = parseCompose(file);

  it("is plain YAML: two-space indentation, no tabs", () => {
    for (const [i, line] of text.split("\n").entries()) {
      expect(line.includes("\t"), `line ${i + 1}`).toBe(false);
      expect((line.length - line.trimStart().length) % 2, `line ${i + 1}`).toBe(0);
    }
  });

  it("interpolates only variables .env.example lists, each with a default, a loud error or a conditional part", () => {
    const used = [...text.matchAll(INTERPOLATION)];
    expect(used.length).toBeGreaterThan(0);
    for (const [whole, name, op] of used) {
      expect(Object.keys(EXAMPLE), `${name} is not in ${DIR}/.env.example`).toContain(name);
      expect([":-", ":?", ":+"], `${whole}: an unset variable would silently become ""`).toContain(op);
    }
  });
});

describe(`${DIR}/.env.example`, () => {
  it("lists only variables a compose file uses", () => {
    const used = new Set([...`${base.text}\n${clients.text}`.matchAll(INTERPOLATION)].map((m) => m[1]));
    for (const name of Object.keys(EXAMPLE))
      expect(used.has(name), `${name} is used by no compose file`).toBe(true);
  });

  it("says how to generate each secret", () => {
    const text = read(`${DIR}/.env.example`);
    expect(text).toContain("openssl rand -hex 32");
    expect(text).toContain("openssl rand -base64 32");
  });
});

describe.each(LAYOUTS)("$name", ({ services }) => {
  const running = started(services);
  const svc = (name: string) => services[name] as Service;

  it("pins every image it does not build to a version, and builds the mAI images from docker/'s Dockerfiles", () => {
    for (const [name, service] of running) {
      expect(service.image, name).toBeDefined();
      const app = appOf(service);
      if (app) {
        expect(service.build, name).toEqual({ context: "../..", dockerfile: `docker/${app}.Dockerfile` });
        expect(existsSync(join(ROOT, DIR, "../..", service.build?.dockerfile as string))).toBe(true);
        continue;
      }
      expect(service.build, name).toBeUndefined();
      const tag = /:([^:/]+)$/.exec(service.image as string)?.[1];
      expect(tag, `${name}: ${service.image} is not pinned`).toMatch(/^v?\d+(\.\d+)*(-[a-z0-9.]+)?$/);
    }
    expect(running.map(([, s]) => s.image)).toContain("ghcr.io/open-webui/open-webui:v0.9.6");
  });

  it("sets only variables the mAI apps declare, and publishes nothing but Open WebUI's nginx beyond loopback", () => {
    for (const [name, service] of running) {
      const app = appOf(service);
      if (app) {
        const declared = Object.keys((app === "api" ? envSchema : proxyEnvSchema).shape);
        for (const key of Object.keys(service.environment ?? {}))
          expect(declared, `${name}: ${key}`).toContain(key);
      }
      for (const port of service.ports ?? []) {
        const host = interpolate(port, fill()).split(":").slice(0, -1).join(":");
        if (!service.image?.startsWith("nginx:"))
          expect(host, `${name} publishes ${port}`).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });

  it("gives the API and every proxy a configuration they accept once the secrets are filled in — with or without the organisations' ids — and refuse with the placeholders left", () => {
    for (const vars of [
      fill(),
      fill({
        ACME_ORGANIZATION_ID: randomUUID(),
        GLOBEX_ORGANIZATION_ID: randomUUID(),
        MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: randomUUID(),
      }),
    ]) {
      for (const [name, service] of running) {
        const env = envOf(service, vars);
        if (appOf(service) === "api") {
          expect(() => loadEnv(env), name).not.toThrow();
          expect(parseMasterKey(env.MAI_ENCRYPTION_KEY as string)).toHaveLength(32);
          expect(new URL(env.DATABASE_URL as string).hostname).toBe("postgres");
        }
        if (appOf(service) === "proxy") {
          const proxy = loadProxyEnv(env);
          expect(proxy.MAI_PROXY_GATEWAY_TOKEN, name).toBeDefined();
          expect(proxy.MAI_PROXY_GATEWAY_JWT_SECRET, name).toBeDefined();
          expect(env.MAI_PROXY_GATEWAY_TOKEN).not.toBe(env.MAI_INTERNAL_TOKEN);
          expect(env.MAI_API_URL).toBe("http://api:8787");
        }
      }
    }
    const api = running.find(([, s]) => appOf(s) === "api")?.[1];
    expect(() => loadEnv(envOf(api, EXAMPLE))).toThrow(
      /MAI_INTERNAL_TOKEN|MAI_ADMIN_PASSWORD|MAI_OPENWEBUI_MIRROR_TOKEN/,
    );
  });

  it("passes the alert e-mail settings to the API: empty is off, a URL set in .env reaches it", () => {
    const api = running.find(([, s]) => appOf(s) === "api")?.[1];
    expect(loadEnv(envOf(api, fill())).MAI_SMTP_URL).toBeUndefined();
    const smtp = "smtp://alerts:s3cret-pass-fake@smtp.example.com:587";
    const env = loadEnv(envOf(api, fill({ MAI_SMTP_URL: smtp, MAI_ALERTS_FROM: "Gateway <alerts@example.com>" })));
    expect(env.MAI_SMTP_URL).toBe(smtp);
    expect(env.MAI_ALERTS_FROM).toBe("Gateway <alerts@example.com>");
  });

  it("points each Open WebUI's admin connection at its own proxy in trusted-gateway mode, the user signed with the proxy's JWT secret", () => {
    const vars = fill();
    const openWebUis = running.filter(([, s]) => s.image?.startsWith("ghcr.io/open-webui/open-webui:"));
    expect(openWebUis.length).toBeGreaterThan(0);
    const proxiesUsed = new Set<string>();
    for (const [name, service] of openWebUis) {
      const env = envOf(service, vars);
      expect(env, name).toMatchObject({
        ENABLE_OPENAI_API: "true",
        ENABLE_FORWARD_USER_INFO_HEADERS: "true",
        ENABLE_DIRECT_CONNECTIONS: "true",
        ENABLE_OLLAMA_API: "false",
      });
      expect(env.WEBUI_SECRET_KEY, name).toMatch(/^[0-9a-f]{64}$/);
      const url = new URL(env.OPENAI_API_BASE_URLS as string);
      expect(url.pathname).toBe("/v1");
      expect(url.port).toBe("8788");
      const proxy = svc(url.hostname);
      expect(appOf(proxy), `${name} calls ${url.hostname}`).toBe("proxy");
      expect(proxy.profiles ?? []).toEqual([]);
      proxiesUsed.add(url.hostname);
      const proxyEnv = envOf(proxy, vars);
      expect(env.OPENAI_API_KEYS).toBe(proxyEnv.MAI_PROXY_GATEWAY_TOKEN);
      expect(env.FORWARD_USER_INFO_HEADER_JWT_SECRET).toBe(proxyEnv.MAI_PROXY_GATEWAY_JWT_SECRET);
    }
    // One proxy per Open WebUI: a gateway token is the key to every user of the one that holds it.
    expect(proxiesUsed.size).toBe(openWebUis.length);
    expect(new Set(openWebUis.map(([, s]) => envOf(s, vars).OPENAI_API_KEYS)).size).toBe(openWebUis.length);
  });

  it("puts an nginx with the shipped template in front of each Open WebUI, naming an instance the API asks at that address, with the API's mirror token", () => {
    const vars = fill({ ACME_ORGANIZATION_ID: randomUUID() });
    const template = read(`${DIR}/nginx/default.conf.template`);
    const templateVars = [
      ...new Set([...template.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1] as string)),
    ];
    const apiEnv = loadEnv(envOf(running.find(([, s]) => appOf(s) === "api")?.[1], vars));
    const nginxes = running.filter(([, s]) => s.image?.startsWith("nginx:"));
    const openWebUis = running
      .filter(([, s]) => s.image?.startsWith("ghcr.io/open-webui/open-webui:"))
      .map(([n]) => n);
    expect(nginxes.length).toBe(openWebUis.length);
    const instances = new Set<string>();
    for (const [name, service] of nginxes) {
      const source = service.volumes?.find((v) => v.split(":")[1] === TEMPLATE_IN_IMAGE)?.split(":")[0];
      expect(source, `${name} mounts the template`).toBe("./nginx/default.conf.template");
      expect(existsSync(join(ROOT, posix.join(DIR, source as string)))).toBe(true);
      const env = envOf(service, vars);
      for (const v of templateVars) expect(env[v], `${name}: the template uses \${${v}}`).toBeDefined();
      expect(env.MAI_API_UPSTREAM).toBe("http://api:8787");
      expect(env.MAI_OPENWEBUI_MIRROR_TOKEN).toBe(apiEnv.MAI_OPENWEBUI_MIRROR_TOKEN);
      const upstream = new URL(env.OPENWEBUI_UPSTREAM as string);
      expect(openWebUis).toContain(upstream.hostname);
      expect(upstream.port).toBe("8080");
      const instance = apiEnv.MAI_OPENWEBUI_INSTANCES.find((i) => i.name === env.MAI_OPENWEBUI_INSTANCE);
      expect(instance, `${name} names instance ${env.MAI_OPENWEBUI_INSTANCE}`).toBeDefined();
      expect(instance?.url).toBe(env.OPENWEBUI_UPSTREAM);
      instances.add(instance!.name);
      // Open WebUI must not wait for mAI: the mirror fails quietly while the API is down.
      const dependsOn = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      expect(dependsOn).not.toContain("api");
      expect(dependsOn).toContain(upstream.hostname);
    }
    expect(instances.size).toBe(nginxes.length);
  });
});

describe("the per-client override", () => {
  const services = merged(base.services, clients.services);

  it("binds each client's instance and its proxy's auto-join to that client's organisation", () => {
    const acme = randomUUID();
    const globex = randomUUID();
    const vars = fill({ ACME_ORGANIZATION_ID: acme, GLOBEX_ORGANIZATION_ID: globex });
    const api = loadEnv(envOf(services.api, vars));
    expect(api.MAI_OPENWEBUI_INSTANCES.map((i) => [i.name, i.organizationId])).toEqual([
      ["acme", acme],
      ["globex", globex],
    ]);
    expect(loadProxyEnv(envOf(services["proxy-acme"], vars)).MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID).toBe(acme);
    expect(loadProxyEnv(envOf(services["proxy-globex"], vars)).MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID).toBe(
      globex,
    );
    // Before the organisations exist: the instances alone.
    expect(loadEnv(envOf(services.api, fill())).MAI_OPENWEBUI_INSTANCES.map((i) => i.organizationId)).toEqual(
      [null, null],
    );
    // The single layout's Open WebUI, nginx and proxy stay off.
    for (const name of ["open-webui", "nginx", "proxy"])
      expect(services[name]?.profiles, name).toEqual(["single"]);
  });
});
