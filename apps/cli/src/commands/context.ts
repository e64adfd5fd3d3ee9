// `mai context get <user>`: what the proxy would use for this user's next request — organisation,
// key (masked: the full key never reaches the output, not even with --json), markup, external id,
// monthly limit, spend and what remains.
//
// internal.resolveContext identifies a user by a personal token (in clear, which the CLI does not
// have) or by an Open WebUI identity. For a user linked to Open WebUI, looking them up by their
// Open WebUI id is exactly the proxy's trusted-gateway lookup and changes nothing, so it is used.
// Any other lookup through it could write (link an e-mail, auto-join), so for everyone else the
// same figures come from the provider's procedures: testMapping (the mapping the proxy reads),
// organizations.get and usage.summary (the period counter the proxy admits against).
import { evaluateMonthlyLimit, markupToMultiplier, maskKey } from "@mai/domain";
import type { Command } from "commander";
import { printJson } from "../output";
import { CliError, findUser, money, printFields, usd, withJson, withOperator, type Session, providerView } from "./shared";
import type { User } from "@mai/db";

interface ProxyContext {
  source: "internal.resolveContext" | "provider view";
  user: { id: string; email: string; role: string };
  organization: { id: string; name: string; active: boolean };
  keyHint: string | null;
  markupBp: number;
  markup: string;
  externalUserId: string;
  billing: {
    timeZone: string;
    period: string;
    limitNano: bigint;
    spentNano: bigint;
    reservedNano: bigint;
    remainingNano: bigint;
    usedBp: number;
    level: string;
  };
}

const NOT_MAPPED = "This user is not mapped to an organisation yet: the proxy refuses their requests.";

async function viaResolveContext(
  { internal }: Session,
  user: User,
  openWebUiUserId: string,
): Promise<ProxyContext> {
  const ctx = await internal.internal.resolveContext({ openWebUiUser: { id: openWebUiUserId } });
  const { billing, organization } = ctx;
  const limit = evaluateMonthlyLimit({
    spentNano: billing.spentNano,
    reservedNano: billing.reservedNano,
    requestNano: 0n,
    limitNano: organization.monthlyLimitNano,
    refusedMinNano: billing.refusedMinNano,
  });
  return {
    source: "internal.resolveContext",
    user: { id: user.id, email: user.email, role: user.role },
    organization: { id: organization.id, name: organization.name, active: organization.active },
    // Masked at once: the plaintext key goes no further than this line.
    keyHint: ctx.openrouterKey ? maskKey(ctx.openrouterKey) : null,
    markupBp: organization.markupBp,
    markup: markupToMultiplier(organization.markupBp),
    externalUserId: ctx.externalUserId,
    billing: {
      timeZone: billing.timeZone,
      period: billing.period,
      limitNano: organization.monthlyLimitNano,
      spentNano: billing.spentNano,
      reservedNano: billing.reservedNano,
      remainingNano: limit.remainingNano,
      usedBp: limit.usedBp,
      level: limit.level,
    },
  };
}

async function viaProviderView({ provider }: Session, user: User): Promise<ProxyContext> {
  const mapping = await provider.userMapping.testMapping({ userId: user.id });
  if (!mapping.organizationId || !mapping.storedExternalUserId) throw new CliError(mapping.reason);
  const organizationId = mapping.organizationId;
  const org = providerView(await provider.organizations.get({ organizationId }), "markupBp");
  const summary = await provider.usage.summary({ organizationId });
  return {
    source: "provider view",
    user: { id: user.id, email: user.email, role: user.role },
    organization: { id: org.id, name: org.name, active: org.active },
    keyHint: org.keyHint,
    markupBp: org.markupBp,
    markup: org.markup,
    externalUserId: mapping.storedExternalUserId,
    billing: {
      timeZone: summary.timeZone,
      period: summary.limit.period,
      limitNano: summary.limit.limitNano,
      spentNano: summary.limit.spentNano,
      reservedNano: summary.limit.reservedNano,
      remainingNano: summary.limit.remainingNano,
      usedBp: summary.limit.usedBp,
      level: summary.limit.level,
    },
  };
}

/** What the proxy will do with the next request, in words (the proxy's own checks, in order). */
function notesOf(c: ProxyContext): string[] {
  const notes: string[] = [];
  if (!c.organization.active)
    notes.push("The organisation is deactivated: the proxy refuses requests (403 organization_inactive).");
  if (!c.keyHint) notes.push("The organisation has no OpenRouter key: requests cannot be forwarded.");
  if (c.billing.level === "exceeded")
    notes.push("The monthly limit is spent: requests are refused (402 monthly_limit_exceeded).");
  else if (c.billing.level === "warning")
    notes.push(`${(c.billing.usedBp / 100).toFixed(2)} % of the monthly limit is used.`);
  return notes;
}

export function registerContext(program: Command): void {
  const context = program.command("context").description("What the proxy would use for a user's requests.");

  withJson(
    context
      .command("get")
      .description(
        "Show the organisation, masked OpenRouter key, markup, external user id, monthly limit, month-to-date spend and remaining budget the proxy would use for a user.",
      )
      .argument("<user>", "the user's id or e-mail"),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai context get ola@kowalski.pl
  $ mai context get ola@kowalski.pl --json | jq -r .billing.remaining.usd

The key is always masked (sk-or-v1-abcd…wxyz), also with --json. Spend is the billing month's
counter the proxy admits requests against (billed price: raw cost × markup); "remaining" also
subtracts budget reserved by requests in flight.`,
    )
    .action(async (ref: string, options: { json?: boolean }) => {
      const result = await withOperator(async (session) => {
        const user = await findUser(session.op, ref);
        if (user.disabledAt)
          throw new CliError(`The user ${user.email} is disabled: the proxy refuses their requests.`);
        if (user.openWebUiUserId) {
          try {
            return await viaResolveContext(session, user, user.openWebUiUserId);
          } catch (error) {
            if ((error as { code?: unknown }).code === "FORBIDDEN") throw new CliError(NOT_MAPPED);
            throw error;
          }
        }
        return viaProviderView(session, user);
      });
      const notes = notesOf(result);
      const { billing } = result;
      if (options.json) {
        return printJson({
          ...result,
          billing: {
            timeZone: billing.timeZone,
            period: billing.period,
            monthlyLimit: money(billing.limitNano),
            spent: money(billing.spentNano),
            reserved: money(billing.reservedNano),
            remaining: money(billing.remainingNano),
            usedBp: billing.usedBp,
            level: billing.level,
          },
          notes,
        });
      }
      printFields([
        ["User", `${result.user.email} (${result.user.role}, ${result.user.id})`],
        [
          "Organisation",
          `${result.organization.name} (${result.organization.id})${result.organization.active ? "" : ", INACTIVE"}`,
        ],
        ["OpenRouter key", result.keyHint ?? "none"],
        ["Markup", `${result.markup}×`],
        ["External user id", result.externalUserId],
        ["Monthly limit", `${usd(billing.limitNano)} (billing month ${billing.period}, ${billing.timeZone})`],
        ["Spent this month", usd(billing.spentNano)],
        [
          "Remaining",
          `${usd(billing.remainingNano)}${billing.reservedNano > 0n ? ` (${usd(billing.reservedNano)} reserved in flight)` : ""}`,
        ],
        ...notes.map((note) => ["Note", note] as const),
      ]);
    });
}
