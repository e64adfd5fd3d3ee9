import { settingsUpdateSchema } from "@mai/domain";
import { z } from "zod";
import { maskedKeyOrEmpty } from "./_schemas";
import { readSettings, updateSettings } from "../services/settings/update";
import { router } from "../trpc/init";
import { chatProcedure } from "../trpc/procedures";

const settingsOut = z.object({
  ui: z.looseObject({
    directConnections: z
      .looseObject({
        OPENAI_API_BASE_URLS: z.array(z.string()),
        OPENAI_API_KEYS: z.array(maskedKeyOrEmpty),
        OPENAI_API_CONFIGS: z.record(z.string(), z.unknown()),
      })
      .optional(),
  }),
});

export const syncStatusSchema = z.enum(["created", "updated", "unchanged", "claimed", "skipped", "failed"]);

// A user's own Open WebUI settings: what a chat client with a chat token reads and saves (the Open
// WebUI direct connection's REST endpoint in server.ts calls these), so chatProcedure.
export const settingsRouter = router({
  get: chatProcedure.output(settingsOut).query(({ ctx }) => readSettings(ctx, ctx.user)),
  update: chatProcedure
    .input(settingsUpdateSchema)
    .output(
      settingsOut.extend({
        openrouterSync: z.object({
          status: syncStatusSchema,
          organizationId: z.string().optional(),
          message: z.string(),
        }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { settings, openrouterSync } = await updateSettings(ctx, ctx.user, input);
      return { ...settings, openrouterSync };
    }),
});
