// Why: every byte that comes back from OpenRouter is validated here before the rest of the system
// trusts it. The schemas are loose objects (extra fields pass through untouched) because OpenRouter
// adds fields often and documents some only after shipping them (`provider` on chat responses is
// in every live capture but not in the OpenAPI spec). Fields that older API versions lacked are
// optional; fields we depend on are required. Money stays a JSON number (USD) here; convert with
// `usdToNano` from @mai/domain before doing arithmetic. Prices stay strings, exactly as sent.
import { z } from "zod";

export const LimitResetSchema = z.enum(["daily", "weekly", "monthly"]);
export type LimitReset = z.infer<typeof LimitResetSchema>;

const nullableNumber = z.number().nullable();

/** The error envelope: `{ error: { code, message, metadata? }, user_id? }`. */
const ErrorBodySchema = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
export const ErrorEnvelopeSchema = z.looseObject({
  error: ErrorBodySchema,
  user_id: z.string().nullable().optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

// ---------------------------------------------------------------------------------------------
// GET /key (alias /auth/key)

// USD spent through a key, in total and per UTC day/week/month: the same fields on /key and /keys.
const keyUsageFields = {
  usage: z.number(),
  usage_daily: z.number().optional(),
  usage_weekly: z.number().optional(),
  usage_monthly: z.number().optional(),
  byok_usage: z.number().optional(),
  byok_usage_daily: z.number().optional(),
  byok_usage_weekly: z.number().optional(),
  byok_usage_monthly: z.number().optional(),
};

export const KeyInfoSchema = z.looseObject({
  label: z.string(),
  limit: nullableNumber,
  limit_reset: z.string().nullable().optional(),
  limit_remaining: nullableNumber.optional(),
  include_byok_in_limit: z.boolean().optional(),
  ...keyUsageFields,
  is_free_tier: z.boolean(),
  is_management_key: z.boolean().optional(),
  is_provisioning_key: z.boolean().optional(),
  expires_at: z.string().nullable().optional(),
  creator_user_id: z.string().nullable().optional(),
  rate_limit: z.looseObject({ requests: z.number(), interval: z.string() }).optional(),
});
export type KeyInfo = z.infer<typeof KeyInfoSchema>;
export const KeyInfoResponseSchema = z.looseObject({ data: KeyInfoSchema });

/**
 * The per-period usage counters of one key, required: key-level reconciliation needs them (USD;
 * `usage_daily` the current UTC day, `usage_weekly` the UTC week from Monday, `usage_monthly` the
 * current UTC month). Both `GET /key` and `GET /keys/:hash` carry them.
 */
export const KeyUsageCountersSchema = z.looseObject({
  usage: z.number(),
  usage_daily: z.number(),
  usage_weekly: z.number(),
  usage_monthly: z.number(),
});
export type KeyUsageCounters = z.infer<typeof KeyUsageCountersSchema>;
export const CurrentKeySchema = KeyInfoSchema.extend(KeyUsageCountersSchema.shape);
export type CurrentKey = z.infer<typeof CurrentKeySchema>;
export const CurrentKeyResponseSchema = z.looseObject({ data: CurrentKeySchema });

// ---------------------------------------------------------------------------------------------
// Management API: /keys

export const ApiKeySchema = z.looseObject({
  hash: z.string(),
  name: z.string(),
  label: z.string(),
  disabled: z.boolean(),
  limit: nullableNumber,
  limit_remaining: nullableNumber,
  limit_reset: z.string().nullable().optional(),
  include_byok_in_limit: z.boolean().optional(),
  ...keyUsageFields,
  created_at: z.string(),
  updated_at: z.string().nullable(),
  expires_at: z.string().nullable().optional(),
  creator_user_id: z.string().nullable().optional(),
  workspace_id: z.string().nullable().optional(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const ApiKeyResponseSchema = z.looseObject({ data: ApiKeySchema });
export const ListKeysResponseSchema = z.looseObject({ data: z.array(ApiKeySchema) });
/** 201 on create: the plaintext `key` appears here and nowhere else, ever. */
export const CreateKeyResponseSchema = z.looseObject({ data: ApiKeySchema, key: z.string() });
export type CreateKeyResponse = z.infer<typeof CreateKeyResponseSchema>;
/** DELETE has no `data` wrapper. */
export const DeleteKeyResponseSchema = z.looseObject({ deleted: z.literal(true) });
export type DeleteKeyResponse = z.infer<typeof DeleteKeyResponseSchema>;

// ---------------------------------------------------------------------------------------------
// GET /credits (management key only)

export const CreditsSchema = z.looseObject({ total_credits: z.number(), total_usage: z.number() });
export type Credits = z.infer<typeof CreditsSchema>;
export const CreditsResponseSchema = z.looseObject({ data: CreditsSchema });

// ---------------------------------------------------------------------------------------------
// GET /generation?id=

const optNullNumber = z.number().nullable().optional();
const optNullString = z.string().nullable().optional();

export const GenerationSchema = z.looseObject({
  id: z.string(),
  upstream_id: optNullString,
  request_id: optNullString,
  created_at: z.string(),
  model: z.string(),
  provider_name: optNullString,
  api_type: optNullString,
  router: optNullString,
  total_cost: z.number(),
  usage: optNullNumber,
  cache_discount: optNullNumber,
  upstream_inference_cost: optNullNumber,
  latency: optNullNumber,
  generation_time: optNullNumber,
  moderation_latency: optNullNumber,
  tokens_prompt: optNullNumber,
  tokens_completion: optNullNumber,
  native_tokens_prompt: optNullNumber,
  native_tokens_completion: optNullNumber,
  native_tokens_reasoning: optNullNumber,
  native_tokens_cached: optNullNumber,
  native_tokens_completion_images: optNullNumber,
  num_media_prompt: optNullNumber,
  num_input_audio_prompt: optNullNumber,
  num_media_completion: optNullNumber,
  num_search_results: optNullNumber,
  num_fetches: optNullNumber,
  finish_reason: optNullString,
  native_finish_reason: optNullString,
  streamed: z.boolean().nullable().optional(),
  cancelled: z.boolean().nullable().optional(),
  is_byok: z.boolean().optional(),
  origin: optNullString,
  http_referer: optNullString,
  user_agent: optNullString,
  app_id: optNullNumber,
  external_user: optNullString,
  session_id: optNullString,
});
export type Generation = z.infer<typeof GenerationSchema>;
export const GenerationResponseSchema = z.looseObject({ data: GenerationSchema });

// ---------------------------------------------------------------------------------------------
// GET /models. Prices are decimal strings in USD per token and are never turned into floats here.

const priceString = z.string();
const ModelPricingSchema = z.looseObject({
  prompt: priceString,
  completion: priceString,
  request: priceString.optional(),
  image: priceString.optional(),
  image_token: priceString.optional(),
  image_output: priceString.optional(),
  audio: priceString.optional(),
  audio_output: priceString.optional(),
  input_audio_cache: priceString.optional(),
  web_search: priceString.optional(),
  internal_reasoning: priceString.optional(),
  input_cache_read: priceString.optional(),
  input_cache_write: priceString.optional(),
  input_cache_write_1h: priceString.optional(),
  discount: z.number().optional(),
});
export type ModelPricing = z.infer<typeof ModelPricingSchema>;

export const ModelSchema = z.looseObject({
  id: z.string(),
  canonical_slug: z.string().optional(),
  name: z.string(),
  created: z.number().optional(),
  description: z.string().optional(),
  context_length: z.number().nullable().optional(),
  architecture: z.looseObject({}).optional(),
  top_provider: z
    .looseObject({
      context_length: z.number().nullable().optional(),
      max_completion_tokens: z.number().nullable().optional(),
      is_moderated: z.boolean().optional(),
    })
    .optional(),
  pricing: ModelPricingSchema,
  supported_parameters: z.array(z.string()).optional(),
});
export type Model = z.infer<typeof ModelSchema>;
export const ModelsResponseSchema = z.looseObject({
  data: z.array(ModelSchema),
  total_count: z.number().optional(),
});

// ---------------------------------------------------------------------------------------------
// Chat completions

export const UsageSchema = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  /** USD actually charged. Bill from this, never from `cost_details`. */
  cost: z.number().nullable().optional(),
  is_byok: z.boolean().optional(),
  prompt_tokens_details: z
    .looseObject({
      cached_tokens: z.number().optional(),
      cache_write_tokens: z.number().optional(),
      audio_tokens: z.number().optional(),
      video_tokens: z.number().optional(),
    })
    .nullable()
    .optional(),
  completion_tokens_details: z
    .looseObject({
      reasoning_tokens: z.number().optional(),
      image_tokens: z.number().optional(),
      audio_tokens: z.number().optional(),
      accepted_prediction_tokens: z.number().optional(),
      rejected_prediction_tokens: z.number().optional(),
    })
    .nullable()
    .optional(),
  cost_details: z
    .looseObject({
      upstream_inference_cost: z.number().nullable().optional(),
      upstream_inference_prompt_cost: z.number().nullable().optional(),
      upstream_inference_completions_cost: z.number().nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

const ChatMessageSchema = z.looseObject({
  role: z.string(),
  content: z
    .union([z.string(), z.array(z.unknown())])
    .nullable()
    .optional(),
  reasoning: z.string().nullable().optional(),
  refusal: z.string().nullable().optional(),
});

export const ChatCompletionSchema = z.looseObject({
  id: z.string(),
  object: z.string().optional(),
  created: z.number(),
  model: z.string(),
  provider: z.string().optional(),
  choices: z.array(
    z.looseObject({
      index: z.number().optional(),
      finish_reason: z.string().nullable().optional(),
      native_finish_reason: z.string().nullable().optional(),
      message: ChatMessageSchema.optional(),
      error: ErrorBodySchema.optional(),
    }),
  ),
  usage: UsageSchema.optional(),
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

/** Every field optional: a chunk may be a usage-only chunk, an error chunk or a content delta. */
export const ChatCompletionChunkSchema = z.looseObject({
  id: z.string().optional(),
  object: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().optional(),
        delta: z
          .looseObject({
            role: z.string().optional(),
            content: z.string().nullable().optional(),
            reasoning: z.string().nullable().optional(),
          })
          .optional(),
        finish_reason: z.string().nullable().optional(),
        native_finish_reason: z.string().nullable().optional(),
      }),
    )
    .optional(),
  usage: UsageSchema.nullable().optional(),
  error: ErrorBodySchema.optional(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunkSchema>;

/** The request body. Only what the client itself reads is typed; everything else passes through. */
export interface ChatRequest {
  model?: string;
  models?: string[];
  messages: { role: string; content?: unknown; [field: string]: unknown }[];
  stream?: boolean;
  user?: string;
  max_tokens?: number;
  max_completion_tokens?: number;
  [field: string]: unknown;
}
