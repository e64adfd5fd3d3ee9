// What the provider pays — raw cost, margin, markup — is in an API answer only when the caller may
// see it: the provider always, client roles when the provider's `clientsSeeProviderCost` setting is
// on (apps/api README, "Raw cost visibility"). The API answers with one of two views, and a page
// shows a raw-cost column or the markup when the answer carries it — never by the role alone.

/** Whether `value` is the provider's view: it carries `key` (e.g. "rawCostNano", "markup"). */
export function carries<T extends object, K extends string>(value: T, key: K): value is Extract<T, Record<K, unknown>> {
  return key in value;
}

/** Whether every row carries `key` (an empty list shows no cost column: there is nothing to show). */
export function allCarry<T extends object, K extends string>(rows: readonly T[], key: K): rows is readonly Extract<T, Record<K, unknown>>[] {
  return rows.length > 0 && rows.every((r) => key in r);
}
