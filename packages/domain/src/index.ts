// Why: the package's one entry point. Everything here is pure (no I/O, no node:* imports) and runs
// unchanged in the API, the proxy, the database layer and the browser.

export { DOMAIN_ERROR_CODES, DomainError, domainError, isDomainError, type DomainErrorCode } from "./errors";
export {
  isServerMessageKey,
  SERVER_MESSAGES,
  serverMessage,
  serverMessageMatch,
  serverMessageTemplate,
  type ServerMessageKey,
  type ServerMessageParams,
} from "./messages";
export { maskKey, validateOpenRouterKey, type KeyErrorCode, type KeyValidation, type OpenRouterKey } from "./keys";
export { isOpenRouterUrl, type OpenRouterUrlOptions } from "./urls";
export {
  directConnectionsSchema,
  findOpenRouterConnection,
  type ConnectionConfig,
  type DirectConnections,
  type OpenRouterConnection,
} from "./connections";
export {
  planOrgSync,
  ROLES,
  type KeySource,
  type OrgSyncInput,
  type OrgSyncPlan,
  type Role,
} from "./org-sync";
export { externalUserId, isValidExternalUserId, parseExternalUserId } from "./external-user-id";
export {
  billedCost,
  BP_PER_UNIT,
  DEFAULT_MARKUP_BP,
  DEFAULT_MONTHLY_LIMIT_NANO,
  formatUsd,
  formatUsdPrecise,
  markupFromMultiplier,
  markupToMultiplier,
  NANO_PER_USD,
  nanoToUsdString,
  usdToNano,
  MAX_MARKUP_BP,
  MIN_MARKUP_BP,
  validateMarkupBp,
} from "./money";
export {
  billingPeriod,
  isValidTimeZone,
  localDate,
  periodKeyOf,
  zonedMidnight,
  type BillingPeriod,
} from "./billing-period";
export { leaseGrantNano, leaseHeldNano, leaseRequestNano, LEASE_MIN_REQUESTS, LEASE_RENEWALS_PER_LIFETIME, LEASE_SHARE_DIVISOR, LEASE_TARGET_SECONDS } from "./lease";
export { evaluateMonthlyLimit, LIMIT_WARNING_BP, validateMonthlyLimit, validateMonthlyLimitNano, type LimitEvaluation } from "./monthly-limit";
export { isMaskedKey, restoreMaskedKeys, settingsUpdateSchema, type SettingsUpdate } from "./settings";
export {
  estimatePromptTokens,
  isUsablePricing,
  reservationNano,
  worstCaseRawCostNano,
  type ModelPricing,
} from "./estimate";
export {
  decodeUsageEventLine,
  DEFAULT_RECONCILE_SAMPLE_BP,
  encodeUsageEvent,
  encodeUsageEvents,
  MAX_USAGE_BATCH,
  parseUsageEvents,
  usageEventSchema,
  type UsageEvent,
} from "./usage-event";
export {
  DEFAULT_MAX_JSON_DEPTH,
  findUnstorableText,
  firstNonJsonValue,
  INT4_MAX,
  INT8_MAX,
  jsonDepthExceeds,
  unframedTransferEncoding,
  unstorableTextReason,
} from "./input-bounds";
export { int4Count, nanoAmount, storableText } from "./input-schemas";
export { MAX_ORGANIZATION_NAME_LENGTH, isCurrencyCode, validateOrganizationName } from "./organization";
export { API_TOKEN_PATTERN, API_TOKEN_PREFIX, looksLikeApiToken, parseBearer, TOKEN_SCOPES, tokenScopeProblem, type TokenScope } from "./api-token";
export { sumUsageFigures, type UsageFigures } from "./usage-figures";
export {
  isUnmetered,
  monthPeriodStart,
  unbilledUnmeteredNano,
  unmeteredChanged,
  unmeteredToleranceNano,
  utcPeriodsOf,
  type UtcPeriod,
} from "./key-usage";
export { addDays, daysBetween, monthDates, rangeOrCurrentMonth, type DateRange } from "./local-date";
export {
  describeRate,
  exactMoneyDecimal,
  formatDate,
  formatDateTime,
  formatLocalDay,
  formatMoney,
  formatRate,
  formatShortDay,
  MAX_RATE_DECIMALS,
  normalizeRate,
  parseRate,
  roundForDisplay,
  type DateFormatOptions,
  type DecimalRate,
  type ExchangeRate,
  type ExchangeRateSource,
  type MoneyFormatOptions,
} from "./format";
export {
  BOOKS_CURRENCY,
  nbpFetchRange,
  NBP_LOOKBACK_DAYS,
  NBP_MAX_RANGE_DAYS,
  noRateMessage,
  parseNbpRates,
  rateBefore,
  statementDate,
  type NbpRate,
} from "./exchange-rates";
export { csrfProblem, dashboardOrigins, type CsrfProblem, type CsrfRequest } from "./csrf";
export {
  formatInvitationCode,
  INVITATION_CODE_ALPHABET,
  INVITATION_CODE_LENGTH,
  INVITATION_MESSAGES,
  INVITATION_VALIDITY_MS,
  normalizeInvitationCode,
} from "./invitation";
export { commonPasswordCandidates, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, type PasswordContext } from "./password";
export {
  decideAttempt,
  describeWait,
  scopeOfThrottleKey,
  SIGN_IN_THROTTLE,
  throttledMessage,
  throttleDelayMs,
  throttleKey,
  type ThrottleDecision,
  type ThrottleSchedule,
  type ThrottleScope,
  type ThrottleState,
  addressNetwork,
} from "./sign-in-throttle";
export {
  crossedAlertThresholds,
  DEFAULT_ALERT_THRESHOLDS,
  formatWebhookSignature,
  limitAlertPayloadSchema,
  MAX_ALERT_THRESHOLD,
  MAX_ALERT_THRESHOLDS,
  MAX_WEBHOOK_SECRET_LENGTH,
  MAX_WEBHOOK_URL_LENGTH,
  MIN_ALERT_THRESHOLD,
  MIN_WEBHOOK_SECRET_LENGTH,
  nanoToUsdFixed,
  parseWebhookSignature,
  usedPercent,
  validateAlertThresholds,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_SIGNATURE_TOLERANCE_SECONDS,
  webhookRecipient,
  webhookSignedContent,
  webhookUrlProblem,
  ALERT_EMAIL_LANGUAGES,
  type AlertEmailLanguage,
  type AlertReason,
  type LimitAlertPayload,
} from "./limit-alerts";
