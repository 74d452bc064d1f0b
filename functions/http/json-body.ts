import httpJsonBodyParser from '@middy/http-json-body-parser';

/** A JSON request body, parsed (malformed JSON becomes a 400 in error-response.ts). */
export const jsonBody = () => httpJsonBodyParser();
