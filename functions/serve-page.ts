import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isPageFile, PAGE_DOCUMENT, pageFileHeaders } from './core/page-files.js';
import { errorBody, type HttpResponse } from './http/responses.js';
import { pageFiles, pagePolicy } from './wiring/page-files.js';

/**
 * GET / and GET /assets/{file}: the media library page, without the key (the page asks for it). Its files
 * are held in memory from the cold start on, so it runs without the middy stack.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  const name = event.rawPath === '/' ? PAGE_DOCUMENT : (event.pathParameters?.file ?? '');
  if (!isPageFile(name)) return errorBody(404, `No page asset named "${name}"`, 'The page loads its own assets; open / instead.');
  return { statusCode: 200, headers: pageFileHeaders(name, pagePolicy), body: pageFiles[name] };
};
