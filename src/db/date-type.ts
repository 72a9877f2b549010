// PostgreSQL's DATE is a calendar day with no time zone. The drivers would make it a JavaScript Date at midnight
// UTC, which shows as the day before anywhere west of Greenwich: both drivers (pg and PGlite, on either thread)
// return it as the 'YYYY-MM-DD' text instead.
export const DATE_OID = 1082;

export function keepDateAsText(value: string): string {
  return value;
}
