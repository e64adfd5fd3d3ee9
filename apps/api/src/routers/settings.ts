import { settingsUpdateSchema } from "@mai/domain";
import { settingsChannelSchema, settingsSyncStatusSchema } from "@mai/domain/schemas";
import { z } from "zod";
import { maskedKey, maskedKeyOrEmpty } from "./_schemas";
import { readLastSync, readSettings, updateSettings } from "../services/settings/update";
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

/** A message's parameters (@mai/domain SERVER_MESSAGES): strings and numbers a reader may see. */
const messageParams = z.record(z.string(), z.union([z.string(), z.number()]));

const lastSyncOut = z.object({
  savedAt: z.date().nullable(),
  sync: z
    .object({
      status: settingsSyncStatusSchema,
      message: z.string(),
      messageKey: z.string().optional(),
      messageParams: messageParams.optional(),
      at: z.date(),
      organizationId: z.string().nullable(),
      channel: settingsChannelSchema,
      keyHint: maskedKey.nullable(),
    })
    .nullable(),
});

// A user's own Open WebUI settings: what a chat client with a chat token reads and saves (the Open
// WebUI direct connection's REST endpoint in server.ts calls these), so chatProcedure.
export const settingsRouter = router({
  get: chatProcedure.output(settingsOut).query(({ ctx }) => readSettings(ctx, ctx.user)),
  update: chatProcedure
    .input(settingsUpdateSchema)
    .output(
      settingsOut.extend({
        openrouterSync: z.object({
          status: settingsSyncStatusSchema,
          organizationId: z.string().optional(),
          message: z.string(),
          messageKey: z.string().optional(),
          messageParams: messageParams.optional(),
        }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { settings, openrouterSync } = await updateSettings(ctx, ctx.user, input);
      return { ...settings, openrouterSync };
    }),
  // The caller's own last save — from any door: Open WebUI (mirrored), the dashboard, a token — and
  // what its organisation sync came to; a mirrored save's answer goes to Open WebUI, so the
  // dashboard's Connections page reads it here. No input: nobody names another user.
  lastSync: chatProcedure.output(lastSyncOut).query(({ ctx }) => readLastSync(ctx, ctx.user)),
});
