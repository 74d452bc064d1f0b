import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const ok = (body: unknown) => json(200, body);

export const noContent = (): HttpResponse => ({ statusCode: 204, headers: {}, body: '' });

export const errorBody = (statusCode: number, message: string, help: string, headers: Record<string, string> = {}) =>
  json(statusCode, { message, help }, headers);
