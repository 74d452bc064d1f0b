import type { StatusReport } from '../functions/services/extension-status.js';

/** The start banner's line per extension: what `GET /v1/status` says, in the words of a terminal. */
export function extensionBannerLines(report: StatusReport): string[] {
  return Object.entries(report.extensions).map(([name, status]) =>
    status.available ? `  ${name}: available` : `  ${name}: not configured. ${status.help ?? ''}`.trimEnd(),
  );
}

/**
 * The extensions' lines, from the same code as `GET /v1/status`: loaded only once the stack has set the
 * handlers' configuration, which the wiring reads when it loads.
 */
export async function extensionBanner(): Promise<string[]> {
  const [{ statusReport }, { extensionStatusDeps }] = await Promise.all([
    import('../functions/services/extension-status.js'),
    import('../functions/wiring/extension-status.js'),
  ]);
  const report = await statusReport(extensionStatusDeps());
  return extensionBannerLines(report);
}
