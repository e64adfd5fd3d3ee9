import { describe, expect, it } from "vitest";

import {
  billingPeriod,
  DomainError,
  isValidTimeZone,
  localDate,
  periodKeyOf,
  zonedMidnight,
} from "../src/index";

const at = (iso: string) => new Date(iso);

describe("periodKeyOf and billingPeriod.key: the calendar month in the billing time zone", () => {
  it.each<[string, string, string]>([
    // Warsaw after the October switch (CET, +1): local midnight of 1 November is 23:00Z.
    ["2026-10-31T22:59:59Z", "Europe/Warsaw", "2026-10"],
    ["2026-10-31T22:59:59.999Z", "Europe/Warsaw", "2026-10"],
    ["2026-10-31T23:00:00Z", "Europe/Warsaw", "2026-11"],
    // Warsaw after the March switch (CEST, +2): local midnight of 1 April is 22:00Z.
    ["2026-03-31T21:59:59Z", "Europe/Warsaw", "2026-03"],
    ["2026-03-31T22:00:00Z", "Europe/Warsaw", "2026-04"],
    // Year rollover.
    ["2026-12-31T22:59:59Z", "Europe/Warsaw", "2026-12"],
    ["2026-12-31T23:00:00Z", "Europe/Warsaw", "2027-01"],
    ["2026-12-31T23:59:59Z", "UTC", "2026-12"],
    ["2027-01-01T00:00:00Z", "UTC", "2027-01"],
    ["2027-01-01T04:59:59Z", "America/New_York", "2026-12"],
    ["2027-01-01T05:00:00Z", "America/New_York", "2027-01"],
    // New York across its March switch (EST −5 on the 1st, EDT −4 on the 31st).
    ["2026-03-01T04:59:59Z", "America/New_York", "2026-02"],
    ["2026-03-01T05:00:00Z", "America/New_York", "2026-03"],
    ["2026-04-01T03:59:59Z", "America/New_York", "2026-03"],
    ["2026-04-01T04:00:00Z", "America/New_York", "2026-04"],
    // Half-hour and quarter-hour offsets.
    ["2026-01-31T18:29:59Z", "Asia/Kolkata", "2026-01"],
    ["2026-01-31T18:30:00Z", "Asia/Kolkata", "2026-02"],
    ["2025-12-31T10:14:59Z", "Pacific/Chatham", "2025-12"],
    ["2025-12-31T10:15:00Z", "Pacific/Chatham", "2026-01"],
    ["2026-06-30T11:14:59Z", "Pacific/Chatham", "2026-06"],
    ["2026-06-30T11:15:00Z", "Pacific/Chatham", "2026-07"],
    // Leap day.
    ["2028-02-29T12:00:00Z", "UTC", "2028-02"],
  ])("%s in %s → %s", (iso, timeZone, key) => {
    expect(periodKeyOf(at(iso), timeZone)).toBe(key);
    expect(billingPeriod(at(iso), timeZone).key).toBe(key);
  });
});

describe("billingPeriod bounds: [local midnight of the 1st, local midnight of the next 1st)", () => {
  it.each<[string, string, string, string, string]>([
    [
      "2026-11-15T12:00:00Z",
      "Europe/Warsaw",
      "2026-11",
      "2026-10-31T23:00:00.000Z",
      "2026-11-30T23:00:00.000Z",
    ],
    [
      "2026-10-31T22:59:59Z",
      "Europe/Warsaw",
      "2026-10",
      "2026-09-30T22:00:00.000Z",
      "2026-10-31T23:00:00.000Z",
    ],
    [
      "2026-03-31T21:59:59Z",
      "Europe/Warsaw",
      "2026-03",
      "2026-02-28T23:00:00.000Z",
      "2026-03-31T22:00:00.000Z",
    ],
    [
      "2026-03-31T22:00:00Z",
      "Europe/Warsaw",
      "2026-04",
      "2026-03-31T22:00:00.000Z",
      "2026-04-30T22:00:00.000Z",
    ],
    [
      "2026-12-31T23:30:00Z",
      "Europe/Warsaw",
      "2027-01",
      "2026-12-31T23:00:00.000Z",
      "2027-01-31T23:00:00.000Z",
    ],
    [
      "2026-12-15T00:00:00Z",
      "Europe/Warsaw",
      "2026-12",
      "2026-11-30T23:00:00.000Z",
      "2026-12-31T23:00:00.000Z",
    ],
    ["2026-12-31T23:59:59Z", "UTC", "2026-12", "2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
    ["2028-02-10T00:00:00Z", "UTC", "2028-02", "2028-02-01T00:00:00.000Z", "2028-03-01T00:00:00.000Z"],
    [
      "2026-03-15T12:00:00Z",
      "America/New_York",
      "2026-03",
      "2026-03-01T05:00:00.000Z",
      "2026-04-01T04:00:00.000Z",
    ],
    [
      "2026-12-31T23:30:00Z",
      "America/New_York",
      "2026-12",
      "2026-12-01T05:00:00.000Z",
      "2027-01-01T05:00:00.000Z",
    ],
    [
      "2026-02-01T00:00:00Z",
      "Asia/Kolkata",
      "2026-02",
      "2026-01-31T18:30:00.000Z",
      "2026-02-28T18:30:00.000Z",
    ],
    // Chatham: +13:45 in (southern) summer, +12:45 in winter; April starts in summer time and ends in winter.
    [
      "2026-01-15T00:00:00Z",
      "Pacific/Chatham",
      "2026-01",
      "2025-12-31T10:15:00.000Z",
      "2026-01-31T10:15:00.000Z",
    ],
    [
      "2026-04-15T00:00:00Z",
      "Pacific/Chatham",
      "2026-04",
      "2026-03-31T10:15:00.000Z",
      "2026-04-30T11:15:00.000Z",
    ],
    [
      "2026-07-15T00:00:00Z",
      "Pacific/Chatham",
      "2026-07",
      "2026-06-30T11:15:00.000Z",
      "2026-07-31T11:15:00.000Z",
    ],
  ])("%s in %s → %s = [%s, %s)", (iso, timeZone, key, start, end) => {
    const period = billingPeriod(at(iso), timeZone);
    expect(period).toEqual({ key, start: new Date(start), end: new Date(end), timeZone });
    // Half-open: the start belongs to the period, the instant before it and the end do not.
    expect(periodKeyOf(period.start, timeZone)).toBe(key);
    expect(periodKeyOf(new Date(period.end.getTime() - 1), timeZone)).toBe(key);
    expect(periodKeyOf(new Date(period.start.getTime() - 1), timeZone)).not.toBe(key);
    expect(periodKeyOf(period.end, timeZone)).not.toBe(key);
    // Consecutive periods tile time without gap or overlap.
    expect(billingPeriod(period.end, timeZone).start).toEqual(period.end);
  });

  it.each([
    "Europe/Warsaw",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
    "Australia/Lord_Howe",
  ])(
    "every month of 2025–2027 in %s starts where the previous one ended, at local midnight of the 1st",
    (timeZone) => {
      let period = billingPeriod(at("2025-01-15T12:00:00Z"), timeZone);
      for (let i = 0; i < 36; i++) {
        const next = billingPeriod(period.end, timeZone);
        expect(next.start).toEqual(period.end);
        expect(localDate(next.start, timeZone)).toBe(`${next.key}-01`);
        expect(localDate(new Date(next.start.getTime() - 1), timeZone)).not.toBe(`${next.key}-01`);
        period = next;
      }
      expect(period.key).toBe("2028-01");
    },
  );
});

describe("zonedMidnight", () => {
  it.each<[string, string, string]>([
    ["2026-03-29", "Europe/Warsaw", "2026-03-28T23:00:00.000Z"], // the spring-forward day, at 02:00
    ["2026-03-30", "Europe/Warsaw", "2026-03-29T22:00:00.000Z"],
    ["2026-10-25", "Europe/Warsaw", "2026-10-24T22:00:00.000Z"], // the fall-back day, at 03:00
    ["2026-10-26", "Europe/Warsaw", "2026-10-25T23:00:00.000Z"],
    ["2026-07-01", "UTC", "2026-07-01T00:00:00.000Z"],
    ["2026-03-08", "America/New_York", "2026-03-08T05:00:00.000Z"],
    ["2026-11-01", "America/New_York", "2026-11-01T04:00:00.000Z"],
    ["2026-05-10", "Asia/Kolkata", "2026-05-09T18:30:00.000Z"],
    ["2026-01-01", "Pacific/Chatham", "2025-12-31T10:15:00.000Z"],
    ["2024-02-29", "UTC", "2024-02-29T00:00:00.000Z"],
    // Havana switches at midnight: on the spring day 00:00 does not exist (the day starts at the
    // 01:00 that follows the gap); on the autumn day 00:00 happens twice (the first one counts).
    ["2026-03-08", "America/Havana", "2026-03-08T05:00:00.000Z"],
    ["2026-11-01", "America/Havana", "2026-11-01T04:00:00.000Z"],
  ])("%s in %s → %s", (date, timeZone, iso) => {
    const midnight = zonedMidnight(date, timeZone);
    expect(midnight.toISOString()).toBe(iso);
    expect(localDate(midnight, timeZone)).toBe(date);
    expect(localDate(new Date(midnight.getTime() - 1), timeZone)).not.toBe(date);
  });

  it.each<[string, unknown]>([
    ["an impossible day", "2026-02-30"],
    ["a 29 February outside a leap year", "2026-02-29"],
    ["month 13", "2026-13-01"],
    ["day 0", "2026-01-00"],
    ["a datetime", "2026-01-01T00:00:00Z"],
    ["no zero padding", "2026-1-1"],
    ["an empty string", ""],
    ["a Date", new Date("2026-01-01T00:00:00Z")],
  ])("rejects %s", (_label, date) => {
    expect(() => zonedMidnight(date as string, "UTC")).toThrow(DomainError);
  });
});

describe("localDate", () => {
  it.each<[string, string, string]>([
    ["2026-10-31T22:59:59Z", "Europe/Warsaw", "2026-10-31"],
    ["2026-10-31T23:00:00Z", "Europe/Warsaw", "2026-11-01"],
    ["2026-03-29T00:30:00Z", "Europe/Warsaw", "2026-03-29"],
    ["2026-07-01T03:59:59Z", "America/New_York", "2026-06-30"],
    ["2026-07-01T04:00:00Z", "America/New_York", "2026-07-01"],
    ["2026-07-01T00:00:00Z", "UTC", "2026-07-01"],
    ["2026-06-30T18:29:59Z", "Asia/Kolkata", "2026-06-30"],
    ["2026-06-30T18:30:00Z", "Asia/Kolkata", "2026-07-01"],
  ])("%s in %s → %s", (iso, timeZone, date) => {
    expect(localDate(at(iso), timeZone)).toBe(date);
  });
});

describe("time-zone and instant validation", () => {
  it.each<[unknown, boolean]>([
    ["Europe/Warsaw", true],
    ["UTC", true],
    ["America/New_York", true],
    ["Pacific/Chatham", true],
    ["europe/warsaw", true], // IANA names are case-insensitive
    ["Mars/Olympus_Mons", false],
    ["Europe/Warszawa", false],
    ["", false],
    [" ", false],
    [undefined, false],
    [null, false],
    [60, false],
  ])("isValidTimeZone(%j) = %s", (tz, valid) => {
    expect(isValidTimeZone(tz as string)).toBe(valid);
  });

  it.each<[string, () => unknown]>([
    [
      "billingPeriod with an unknown zone",
      () => billingPeriod(at("2026-01-01T00:00:00Z"), "Mars/Olympus_Mons"),
    ],
    ["billingPeriod with an empty zone", () => billingPeriod(at("2026-01-01T00:00:00Z"), "")],
    ["billingPeriod with an invalid date", () => billingPeriod(new Date("not a date"), "UTC")],
    [
      "billingPeriod with a string instead of a Date",
      () => billingPeriod("2026-01-01T00:00:00Z" as unknown as Date, "UTC"),
    ],
    ["periodKeyOf with an invalid date", () => periodKeyOf(new Date(Number.NaN), "Europe/Warsaw")],
    ["periodKeyOf with an unknown zone", () => periodKeyOf(at("2026-01-01T00:00:00Z"), "Nowhere")],
    ["localDate with an invalid date", () => localDate(new Date(Number.NaN), "UTC")],
    ["zonedMidnight with an unknown zone", () => zonedMidnight("2026-01-01", "Nowhere")],
    ["an instant beyond year 9998", () => periodKeyOf(at("+010000-01-01T00:00:00Z"), "UTC")],
  ])("%s throws INVALID_INPUT", (_label, fn) => {
    expect(fn).toThrow(expect.objectContaining({ name: "DomainError", code: "INVALID_INPUT" }));
  });
});
