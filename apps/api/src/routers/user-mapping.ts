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
import { testMappingInput } from "@mai/domain/schemas";

const administrators = adminProcedure("see this");
const role = z.enum(["provider_admin", "org_admin", "member"]);
const problemCode = z.enum(MAPPING_PROBLEM_CODES);

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
    .output(
      z.object({
        externalUserId: z.object({
          format: z.string(),
          pattern: z.string(),
          description: z.string(),
          example: z.string(),
        }),
        billingTimeZone: z.string(),
        currency: z.string(),
        defaultMarkupBp: z.number().int(),
        defaultMarkup: z.string(),
        defaultMonthlyLimitNano: z.bigint(),
        verifyKeys: z.boolean(),
        openRouterBaseUrl: z.string(),
        acceptedOpenRouterHosts: z.array(z.string()),
        hostRule: z.string(),
        syncTrigger: z.string(),
      }),
    )
    .query(({ ctx }) => mappingConfiguration(ctx)),

  statistics: mappingProcedure
    .output(
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
        perExternalId: z.array(
          z.object({
            externalUserId: z.string(),
            userId: z.string(),
            email: z.string().nullable(),
            organizationId: z.string(),
            mapped: z.boolean(),
            requests: z.number().int(),
            rawCostNano: z.bigint(),
            billedCostNano: z.bigint(),
          }),
        ),
      }),
    )
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
