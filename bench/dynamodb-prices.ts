/**
 * DynamoDB on-demand list prices, us-east-1, standard table class, as listed in 2026 (change them here):
 * write and read request units (a strongly consistent read of an item up to 4 KB is one read unit), and
 * storage (which a GSI is billed for like the table).
 */
export const DYNAMODB_PRICES = {
  usdPerMillionWriteUnits: 0.625,
  usdPerMillionReadUnits: 0.125,
  usdPerGbMonth: 0.25,
  asOf: '2026, us-east-1 on-demand list price',
};
