import { type ApiRoute, ROUTES } from '../functions/http/routes.js';

/** A route and the handler module (under functions/, without extension) whose Lambda serves it. */
export interface RouteHandler extends ApiRoute {
  entry: string;
}

/** One Lambda per entry; read by the stack (api.ts) and by the local gateway, which loads the same modules. */
export const ROUTE_HANDLERS: readonly RouteHandler[] = [
  { ...ROUTES.upload, entry: 'upload' },
  { ...ROUTES.uploadUrl, entry: 'upload-url' },
  { ...ROUTES.getDetails, entry: 'get-details' },
  { ...ROUTES.updateDetails, entry: 'update-details' },
  { ...ROUTES.deleteFile, entry: 'delete-file' },
  { ...ROUTES.listFiles, entry: 'list-files' },
  { ...ROUTES.addTags, entry: 'bulk-tags' },
  { ...ROUTES.removeTags, entry: 'bulk-tags' },
  { ...ROUTES.removeAITags, entry: 'bulk-tags' },
  { ...ROUTES.deleteFiles, entry: 'delete-files' },
  { ...ROUTES.createTaggingJob, entry: 'tagging-jobs' },
  { ...ROUTES.listTaggingJobs, entry: 'tagging-jobs' },
  { ...ROUTES.getTaggingJob, entry: 'tagging-jobs' },
  { ...ROUTES.cancelTaggingJob, entry: 'tagging-jobs' },
  { ...ROUTES.status, entry: 'get-status' },
  { ...ROUTES.getTagPolicy, entry: 'tag-policy' },
  { ...ROUTES.putTagPolicy, entry: 'tag-policy' },
  { ...ROUTES.listSavedExtensions, entry: 'saved-extensions' },
  { ...ROUTES.createSavedExtension, entry: 'saved-extensions' },
  { ...ROUTES.getSavedExtension, entry: 'saved-extensions' },
  { ...ROUTES.updateSavedExtension, entry: 'saved-extensions' },
  { ...ROUTES.deleteSavedExtension, entry: 'saved-extensions' },
  { ...ROUTES.page, entry: 'serve-page' },
  { ...ROUTES.pageAsset, entry: 'serve-page' },
];

/** The `$default` route's Lambda: every request no route matches (405 for a known path, else 404). */
export const FALLBACK_ENTRY = 'route-not-found';
