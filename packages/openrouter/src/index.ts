// Why: everything that talks to OpenRouter goes through this package. The public surface is the
// client, its one error type, the SSE stream reader/observer the proxy runs on a tee of the bytes,
// and the zod schemas (with their inferred types) for every response shape. The simulator is a
// separate entry point (`@mai/openrouter/simulator`) so production code never loads it.
export { OpenRouterClient, type UpdateKeyInput } from "./client";
export { OpenRouterError, isOpenRouterError } from "./errors";
export { createChatStreamObserver, readChatStream, type ChatStreamSummary } from "./chat-stream";
export * from "./schemas";
