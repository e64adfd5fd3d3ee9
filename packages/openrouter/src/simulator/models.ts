// Why: the simulator's price table. Prices are per-token decimal strings exactly as /models serves
// them, so token counts × prices give deterministic costs that tests can recompute by hand. The
// table mixes the cases a proxy has to survive: cheap and expensive models, a price finer than a
// nano-dollar per token (rounding), a free `:free` variant, a tiered long-context price, providers
// that stop billing on cancel and providers that do not. Prices are plausible, not authoritative.

interface SimModelTier {
  /** The tier applies when the prompt has at least this many tokens. */
  minPromptTokens: number;
  prompt: string;
  completion: string;
}

export interface SimModel {
  id: string;
  name: string;
  /** Top-level `provider` on responses, `provider_name` on /generation. */
  provider: string;
  /** USD per token, decimal strings (`"0"` = free). */
  prompt: string;
  completion: string;
  /** Long-context price override (served as `pricing.overrides` on /models). */
  tier?: SimModelTier;
  /**
   * Live quirk: the streamed `usage.cost` is computed at the base price even when the tier price
   * is what gets charged (and what /generation reports).
   */
  streamReportsBasePrice?: boolean;
  contextLength: number;
  /** The default maximum output, used by the pre-flight 402 check when `max_tokens` is absent. */
  maxCompletionTokens: number;
  /** Provider supports stream cancellation: an abort stops generation and billing (partial charge). */
  cancellable: boolean;
  /** The provider's raw finish reason for "stop" (Google sends "STOP"). */
  nativeStop?: string;
  tokenizer: string;
}

export const SIM_MODELS: readonly SimModel[] = [
  {
    id: "openai/gpt-4o-mini",
    name: "OpenAI: GPT-4o-mini",
    provider: "OpenAI",
    prompt: "0.00000015",
    completion: "0.0000006",
    contextLength: 128_000,
    maxCompletionTokens: 16_384,
    cancellable: true,
    tokenizer: "GPT",
  },
  {
    id: "openai/gpt-4o",
    name: "OpenAI: GPT-4o",
    provider: "OpenAI",
    prompt: "0.0000025",
    completion: "0.00001",
    contextLength: 128_000,
    maxCompletionTokens: 16_384,
    cancellable: true,
    tokenizer: "GPT",
  },
  {
    id: "anthropic/claude-sonnet-4",
    name: "Anthropic: Claude Sonnet 4",
    provider: "Anthropic",
    prompt: "0.000003",
    completion: "0.000015",
    contextLength: 200_000,
    maxCompletionTokens: 64_000,
    cancellable: true,
    tokenizer: "Claude",
  },
  {
    id: "google/gemini-2.5-pro",
    name: "Google: Gemini 2.5 Pro",
    provider: "Google AI Studio",
    prompt: "0.00000125",
    completion: "0.00001",
    tier: { minPromptTokens: 200_000, prompt: "0.0000025", completion: "0.000015" },
    streamReportsBasePrice: true,
    contextLength: 1_048_576,
    maxCompletionTokens: 65_536,
    cancellable: false,
    nativeStop: "STOP",
    tokenizer: "Gemini",
  },
  {
    id: "google/gemini-2.5-flash",
    name: "Google: Gemini 2.5 Flash",
    provider: "Google AI Studio",
    prompt: "0.0000003",
    completion: "0.0000025",
    contextLength: 1_048_576,
    maxCompletionTokens: 65_535,
    cancellable: false,
    nativeStop: "STOP",
    tokenizer: "Gemini",
  },
  {
    id: "mistralai/mistral-nemo",
    name: "Mistral: Mistral Nemo",
    provider: "Mistral",
    // 7.5 and 15 nano-USD per token: sub-nano results exercise the per-request rounding.
    prompt: "0.0000000075",
    completion: "0.000000015",
    contextLength: 131_072,
    maxCompletionTokens: 16_384,
    cancellable: false,
    tokenizer: "Mistral",
  },
  {
    id: "meta-llama/llama-3.3-70b-instruct:free",
    name: "Meta: Llama 3.3 70B Instruct (free)",
    provider: "Venice",
    prompt: "0",
    completion: "0",
    contextLength: 131_072,
    maxCompletionTokens: 8_192,
    cancellable: true,
    tokenizer: "Llama3",
  },
];

export const DEFAULT_MODEL = "openai/gpt-4o-mini";

/** Variant suffixes that route to the same priced model (`:free` is a distinct model). */
const ROUTING_VARIANTS = [":nitro", ":floor", ":online", ":thinking", ":exacto"];

export function resolveModel(models: ReadonlyMap<string, SimModel>, slug: string): SimModel | undefined {
  const exact = models.get(slug);
  if (exact) return exact;
  for (const variant of ROUTING_VARIANTS) {
    if (slug.endsWith(variant)) return models.get(slug.slice(0, -variant.length));
  }
  return undefined;
}

/** The /models entry, shaped like OpenRouter's. */
export function modelJson(model: SimModel): Record<string, unknown> {
  const pricing: Record<string, unknown> = {
    prompt: model.prompt,
    completion: model.completion,
    request: "0",
    image: "0",
    web_search: "0",
    internal_reasoning: "0",
  };
  if (model.tier) {
    pricing.overrides = [
      {
        min_prompt_tokens: model.tier.minPromptTokens,
        prompt: model.tier.prompt,
        completion: model.tier.completion,
      },
    ];
  }
  return {
    id: model.id,
    canonical_slug: model.id,
    hugging_face_id: "",
    name: model.name,
    created: 1_735_689_600,
    description: `${model.name}, served by the OpenRouter simulator.`,
    context_length: model.contextLength,
    architecture: {
      modality: "text->text",
      input_modalities: ["text"],
      output_modalities: ["text"],
      tokenizer: model.tokenizer,
      instruct_type: null,
    },
    pricing,
    top_provider: {
      context_length: model.contextLength,
      max_completion_tokens: model.maxCompletionTokens,
      is_moderated: model.provider === "OpenAI",
    },
    per_request_limits: null,
    supported_parameters: ["max_tokens", "temperature", "top_p", "stop", "seed", "user"],
    default_parameters: {},
    expiration_date: null,
    knowledge_cutoff: null,
    links: { details: `/api/v1/models/${model.id}/endpoints` },
  };
}
