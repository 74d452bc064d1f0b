import type { ExtensionFailures } from '../adapters/extension-failures.js';
import { EXTENSION_NAMES, type ExtensionName } from '../core/extension-names.js';
import { type CredentialSource, type ExtensionStatus, extensionStatus } from '../core/extension-status.js';

export interface StatusDeps {
  version: string;
  /** Whether each extension has what it needs to call its provider, told without calling it. */
  credentials: Record<ExtensionName, () => Promise<CredentialSource>>;
  failures: ExtensionFailures;
}

export interface StatusReport {
  version: string;
  extensions: Record<ExtensionName, ExtensionStatus>;
}

/** `GET /v1/status`: which extensions can run, and the last failure of each. */
export async function statusReport(deps: StatusDeps): Promise<StatusReport> {
  const [sources, failures] = await Promise.all([Promise.all(EXTENSION_NAMES.map((name) => deps.credentials[name]())), deps.failures.latest()]);
  const extensions = Object.fromEntries(
    EXTENSION_NAMES.map((name, index) => [name, extensionStatus(name, sources[index] ?? { configured: false, where: 'local' }, failures[name])]),
  ) as Record<ExtensionName, ExtensionStatus>;
  return { version: deps.version, extensions };
}
