// userMapping.*: is every user attributed correctly? Provider: all organisations or one;
// client administrator: their own organisation; members: FORBIDDEN (mappingProcedure, and
// adminProcedure for what names no organisation).
import { z } from "zod";
import { mappingConfiguration } from "../services/user-mapping/configuration";
import { mappingStatistics } from "../services/user-mapping/statistics";
import { testMapping } from "../services/user-mapping/test-mapping";
import { MAPPING_PROBLEM_CODES, validateMappings } from "../services/user-mapping/validate";
import { router } from "../trpc/init";
import { adminProcedure, mappingProcedure } from "../trpc/procedures";
import { costViews, providerCost } from "../trpc/provider-cost";
import { testMappingInput } from "@mai/domain/schemas";

const administrators = adminProcedure("see this");
const role = z.enum(["provider_admin", "org_admin", "member"]);
const problemCode = z.enum(MAPPING_PROBLEM_CODES);

// The default markup is the provider's price of OpenRouter's cost, and a per-user raw cost is that
// cost: a client administrator reads both only if the provider lets clients see its cost
// (trpc/provider-cost.ts).
const billedConfigurationOut = z.object({
  externalUserId: z.object({
    format: z.string(),
    pattern: z.string(),
    description: z.string(),
    example: z.string(),
  }),
  billingTimeZone: z.string(),
  currency: z.string(),
  defaultMonthlyLimitNano: z.bigint(),
  verifyKeys: z.boolean(),
  openRouterBaseUrl: z.string(),
  acceptedOpenRouterHosts: z.array(z.string()),
  hostRule: z.string(),
  syncTrigger: z.string(),
});
const configurationViews = costViews(
  billedConfigurationOut.extend({ defaultMarkupBp: z.number().int(), defaultMarkup: z.string() }),
  billedConfigurationOut,
);

const statisticsOut = <T extends z.ZodRawShape>(perExternalId: T) =>
  z.object({
    organizationId: z.string().nullable(),
    period: z.string(),
    timeZone: z.string(),
    users: z.number().int(),
    mappedUsers: z.number().int(),
    unmappedUsers: z.number().int(),
    organizations: z.number().int(),
    activeOrganizations: z.number().int(),
    activeUsersThisMonth: z.number().int(),
    requestsThisMonth: z.number().int(),
    billedCostNanoThisMonth: z.bigint(),
    perExternalId: z.array(z.object(perExternalId)),
  });
const billedPerExternalId = {
  externalUserId: z.string(),
  userId: z.string(),
  email: z.string().nullable(),
  organizationId: z.string(),
  mapped: z.boolean(),
  requests: z.number().int(),
  billedCostNano: z.bigint(),
};
const statisticsViews = costViews(
  statisticsOut({ ...billedPerExternalId, rawCostNano: z.bigint() }),
  statisticsOut(billedPerExternalId),
);

export const userMappingRouter = router({
  validate: mappingProcedure
    .output(
      z.object({
        ok: z.boolean(),
        organizationId: z.string().nullable(),
        counts: z.object({
          users: z.number().int(),
          mappedUsers: z.number().int(),
          unmappedUsers: z.number().int(),
          usersWithProblems: z.number().int(),
          problems: z.number().int(),
          byCode: z.record(problemCode, z.number().int()),
        }),
        problems: z.array(
          z.object({
            code: problemCode,
            userId: z.string(),
            email: z.string(),
            organizationId: z.string().nullable(),
            externalUserId: z.string().nullable(),
            expectedExternalUserId: z.string().nullable(),
            message: z.string(),
            messageKey: z.string(),
            messageParams: z.record(z.string(), z.union([z.string(), z.number()])),
          }),
        ),
        users: z.array(
          z.object({
            userId: z.string(),
            email: z.string(),
            name: z.string(),
            role,
            disabled: z.boolean(),
            organizationId: z.string().nullable(),
            organizationName: z.string().nullable(),
            organizationActive: z.boolean().nullable(),
            externalUserId: z.string().nullable(),
            expectedExternalUserId: z.string().nullable(),
            ok: z.boolean(),
            problems: z.array(problemCode),
          }),
        ),
      }),
    )
    .query(({ ctx }) => validateMappings(ctx, ctx.scope)),

  configuration: administrators
    .output(configurationViews.output)
    .use(providerCost(configurationViews))
    .query(({ ctx }) => mappingConfiguration(ctx)),

  statistics: mappingProcedure
    .output(statisticsViews.output)
    .use(providerCost(statisticsViews))
    .query(({ ctx }) => mappingStatistics(ctx, ctx.scope)),

  testMapping: administrators
    .input(testMappingInput)
    .output(
      z.object({
        userId: z.string(),
        email: z.string(),
        role,
        disabled: z.boolean(),
        mapped: z.boolean(),
        organizationId: z.string().nullable(),
        organizationName: z.string().nullable(),
        organizationActive: z.boolean().nullable(),
        wouldSend: z.boolean(),
        user: z.string().nullable(),
        storedExternalUserId: z.string().nullable(),
        expectedExternalUserId: z.string().nullable(),
        reason: z.string(),
        warnings: z.array(z.string()),
      }),
    )
    .query(({ ctx, input }) => testMapping(ctx, ctx.scope, input)),
});
